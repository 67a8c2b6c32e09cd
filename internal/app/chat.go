package app

import (
	"os"
	"path/filepath"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/chat"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/plan"
)

// buildChat wires the internal chat on the realtime backbone: its
// authorizer owns the "chat" topic, its attachments go to the data dir or
// the configured bucket, removing someone from the account removes them
// from every room, and its jobs clean up after retention and presence.
func (a *App) buildChat(workers *river.Workers) error {
	var blobs chat.Blobs = chat.LocalBlobs{Dir: filepath.Join(a.Cfg.DataDir, "chat-attachments")}
	if a.Cfg.ChatS3Endpoint != "" {
		s3, err := chat.NewS3Blobs(chat.S3Config{Endpoint: a.Cfg.ChatS3Endpoint, Bucket: a.Cfg.ChatS3Bucket, AccessKey: a.Cfg.ChatS3AccessKey,
			SecretKey: a.Cfg.ChatS3SecretKey, Region: a.Cfg.ChatS3Region, PathStyle: a.Cfg.ChatS3PathStyle})
		if err != nil {
			return err
		}
		blobs = s3
	}
	tmp := filepath.Join(a.Cfg.DataDir, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return err
	}
	a.Chat = chat.New(&chat.Service{DB: a.DB, Events: a.Events, Hub: a.Realtime, Plans: a.Plans, IAM: a.IAM, Chatwoot: a.Chatwoot,
		Blobs: blobs, Log: a.Log, Now: a.IAM.Now,
		Cfg: chat.Config{MaxAttachmentBytes: int64(a.Cfg.ChatMaxAttachmentMB) << 20, TempDir: tmp}})
	a.Plans.Counters[plan.MaxChatStorageMB] = chat.StorageCounter
	a.Plans.Counters[plan.MaxChatRooms] = chat.RoomCounter
	a.Realtime.Register(chat.Topic, iam.PermChatRead, a.Chat)
	a.IAM.OnMembershipEnded = append(a.IAM.OnMembershipEnded, a.Chat.MembershipEnded)
	river.AddWorker(workers, &chat.RetentionWorker{S: a.Chat})
	river.AddWorker(workers, &chat.PresenceWorker{S: a.Chat})
	return nil
}
