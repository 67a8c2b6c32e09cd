package chat

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/plan"
)

const attachmentCols = `id, room_id, message_id, uploader_id, filename, content_type, size_bytes, sha256, storage, storage_key, created_at`

func scanAttachment(r interface{ Scan(...any) error }) (*Attachment, error) {
	a := &Attachment{}
	err := r.Scan(&a.ID, &a.RoomID, &a.MessageID, &a.UploaderID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.storage, &a.key, &a.CreatedAt)
	a.Image = strings.HasPrefix(a.ContentType, "image/")
	return a, db.Translate(err)
}

// allowed maps a sniffed type to what is stored; office documents are
// zip files told apart by their extension.
var allowed = map[string]string{
	"image/png": "image/png", "image/jpeg": "image/jpeg", "image/gif": "image/gif", "image/webp": "image/webp",
	"application/pdf": "application/pdf", "text/plain; charset=utf-8": "text/plain; charset=utf-8",
	"text/plain; charset=utf-16be": "text/plain; charset=utf-16be", "text/plain; charset=utf-16le": "text/plain; charset=utf-16le",
	"application/zip": "application/zip", "audio/mpeg": "audio/mpeg", "application/ogg": "audio/ogg", "audio/wave": "audio/wav",
	"video/mp4": "video/mp4", "video/webm": "video/webm", "audio/aiff": "audio/aiff",
}

var officeTypes = map[string]string{
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
}

// SniffType decides an upload's type from its first bytes (never from
// what the client claims): images, PDF, plain text (CSV by extension),
// zip and office documents, common audio and video. HTML, SVG, scripts
// and unknown binaries are refused.
func SniffType(head []byte, filename string) (string, bool) {
	t, ok := allowed[http.DetectContentType(head)]
	if !ok {
		return "", false
	}
	ext := strings.ToLower(path.Ext(filename))
	switch {
	case t == "application/zip" && officeTypes[ext] != "":
		return officeTypes[ext], true
	case strings.HasPrefix(t, "text/plain") && ext == ".csv":
		return strings.Replace(t, "text/plain", "text/csv", 1), true
	}
	return t, true
}

// CleanFilename keeps the base name of what the client sent, without
// controls, quotes or path separators, at most 200 characters.
func CleanFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		name = "file"
	}
	if r := []rune(name); len(r) > 200 {
		ext := path.Ext(name)
		if len([]rune(ext)) > 20 {
			ext = ""
		}
		name = string(r[:200-len([]rune(ext))]) + ext
	}
	return name
}

// Upload stores one file (multipart field "file") for a room the caller
// may write in; it is attached to the message sent next with its id. Its
// type is sniffed from the content; size and the account's storage are
// limited.
func (s *Service) Upload(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	ctx, roomID := r.Context(), r.PathValue("roomID")
	a, err := s.access(ctx, s.DB.R, v, roomID)
	if err != nil {
		return err
	}
	if err := a.writable(); err != nil {
		return err
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return httpx.E(httpx.CodeUnsupportedMedia, "send the file as multipart/form-data in the field \"file\"")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return httpx.E(httpx.CodeBadRequest, "the multipart body cannot be read")
	}
	var spool *spooled
	for spool == nil {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return httpx.Invalid(httpx.FieldError{Field: "file", Message: "is required"})
		}
		if err != nil {
			return uploadErr(err)
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		spool, err = s.spool(part, CleanFilename(part.FileName()))
		part.Close()
		if err != nil {
			return err
		}
	}
	defer spool.remove()
	if spool.size == 0 {
		return httpx.Invalid(httpx.FieldError{Field: "file", Message: "is empty"})
	}
	ct, ok := SniffType(spool.head, spool.name)
	if !ok {
		return httpx.E(httpx.CodeUnsupportedMedia, "this kind of file is not accepted: send images, PDF, text, office documents, zip, audio or video")
	}
	att := &Attachment{ID: db.NewID(), RoomID: roomID, UploaderID: v.userID, Filename: spool.name, ContentType: ct, Size: spool.size,
		SHA256: spool.sum, CreatedAt: s.now(), storage: s.Blobs.Kind()}
	att.key = v.accountID + "/" + att.ID
	att.Image = strings.HasPrefix(ct, "image/")
	att.URL = base(v.accountID) + "/chat/attachments/" + att.ID
	if err := s.reserveStorage(ctx, v.accountID, spool.size); err != nil {
		return err
	}
	f, err := os.Open(spool.path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := s.Blobs.Put(ctx, att.key, f, spool.size, ct); err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Checked again where it counts: two uploads cannot both take the
		// last of the storage.
		if s.Plans != nil {
			if err := s.Plans.ReserveAmount(ctx, tx, v.accountID, plan.MaxChatStorageMB, mib(spool.size)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO chat_attachments (id, account_id, room_id, uploader_id, filename, content_type, size_bytes,
			sha256, storage, storage_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			att.ID, v.accountID, roomID, v.userID, att.Filename, ct, att.Size, att.SHA256, att.storage, att.key, att.CreatedAt)
		return db.Translate(err)
	})
	if err != nil {
		_ = s.Blobs.Delete(context.WithoutCancel(ctx), att.key)
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, att)
	return nil
}

func mib(n int64) int { return int((n + 1<<20 - 1) >> 20) }

func (s *Service) reserveStorage(ctx context.Context, accountID string, size int64) error {
	if s.Plans == nil {
		return nil
	}
	limit, ok, err := s.Plans.Limit(ctx, s.DB.R, accountID, plan.MaxChatStorageMB)
	if err != nil || !ok {
		return err
	}
	used, err := StorageCounter(ctx, s.DB.R, accountID, time.Time{})
	if err != nil {
		return err
	}
	if used+mib(size) > limit {
		return plan.Exceeded(plan.MaxChatStorageMB, limit, used)
	}
	return nil
}

// StorageCounter measures the plan's max_chat_storage_mb: the account's
// attachments in MiB, rounded up.
func StorageCounter(ctx context.Context, q db.Querier, accountID string, _ time.Time) (int, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(size_bytes), 0) FROM chat_attachments WHERE account_id = $1`, accountID).Scan(&n)
	return mib(n), err
}

// spooled is an upload written to a temporary file, measured and hashed.
type spooled struct {
	path, name, sum string
	size            int64
	head            []byte
}

func (sp *spooled) remove() { os.Remove(sp.path) }

func (s *Service) spool(part io.Reader, name string) (*spooled, error) {
	f, err := os.CreateTemp(s.Cfg.TempDir, "chat-upload-*")
	if err != nil {
		return nil, err
	}
	sp := &spooled{path: f.Name(), name: name}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(part, s.Cfg.MaxAttachmentBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		sp.remove()
		return nil, uploadErr(err)
	}
	if n > s.Cfg.MaxAttachmentBytes {
		sp.remove()
		return nil, httpx.E(httpx.CodeTooLarge, "a file is at most "+strconv.FormatInt(s.Cfg.MaxAttachmentBytes>>20, 10)+" MiB")
	}
	sp.size, sp.sum = n, hex.EncodeToString(h.Sum(nil))
	head, err := os.ReadFile(sp.path)
	if err == nil && len(head) > 512 {
		head = head[:512]
	}
	sp.head = head
	return sp, err
}

func uploadErr(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return httpx.E(httpx.CodeTooLarge, "the upload is larger than the hub accepts")
	}
	return &httpx.Error{Code: httpx.CodeBadRequest, Message: "the upload could not be read", Cause: err}
}

// Download serves an attachment's bytes, checking on every request that
// the caller may read its room (an upload not yet sent: its uploader
// only). The type is the sniffed one; only images open inline.
func (s *Service) Download(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("attachmentID")
	if !validID(id) {
		return httpx.NotFound()
	}
	var orphaned *time.Time
	att, err := scanAttachment(s.DB.R.QueryRowContext(ctx, `SELECT `+attachmentCols+` FROM chat_attachments WHERE account_id = $1 AND id = $2`,
		v.accountID, id))
	if err != nil {
		return err
	}
	if err := s.DB.R.QueryRowContext(ctx, `SELECT orphaned_at FROM chat_attachments WHERE account_id = $1 AND id = $2`, v.accountID, id).
		Scan(&orphaned); err != nil {
		return db.Translate(err)
	}
	if orphaned != nil || (att.MessageID == nil && att.UploaderID != v.userID) {
		return httpx.NotFound()
	}
	if _, err := s.access(ctx, s.DB.R, v, att.RoomID); err != nil {
		return err
	}
	body, err := s.Blobs.Get(ctx, att.key)
	if errors.Is(err, ErrBlobMissing) {
		return httpx.NotFound()
	} else if err != nil {
		return err
	}
	defer body.Close()
	disp := "attachment"
	if att.Image {
		disp = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", att.ContentType)
	h.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": att.Filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", `"`+att.SHA256+`"`)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, body)
	}
	return nil
}

// attach gives the caller's loose uploads of the room to a new message.
func attach(ctx context.Context, tx *sql.Tx, v *viewer, roomID, messageID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{v.accountID, roomID, v.userID, messageID}
	res, err := tx.ExecContext(ctx, `UPDATE chat_attachments SET message_id = $4 WHERE account_id = $1 AND room_id = $2 AND uploader_id = $3
		AND message_id IS NULL AND orphaned_at IS NULL AND id IN (`+placeholders(&args, ids)+`)`, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); int(n) != len(ids) {
		return httpx.Invalid(httpx.FieldError{Field: "attachment_ids", Message: "must name your uploads to this room that were not sent yet"})
	}
	return nil
}

// detach orphans a message's attachments and answers their ids, whose
// bytes are removed after commit (or by the sweep).
func detach(ctx context.Context, tx *sql.Tx, accountID, messageID string, now time.Time) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `UPDATE chat_attachments SET message_id = NULL, orphaned_at = $3 WHERE account_id = $1 AND message_id = $2
		RETURNING id`, accountID, messageID, now)
	return db.Collect(rows, err, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
}

// removeBlobs deletes orphaned attachments' bytes, then their rows; what
// fails stays for the sweep.
func (s *Service) removeBlobs(ctx context.Context, accountID string, ids []string) int {
	ctx = context.WithoutCancel(ctx)
	done := 0
	for _, id := range ids {
		var key string
		err := s.DB.R.QueryRowContext(ctx, `SELECT storage_key FROM chat_attachments WHERE account_id = $1 AND id = $2 AND orphaned_at IS NOT NULL`,
			accountID, id).Scan(&key)
		if err != nil {
			continue
		}
		if err := s.Blobs.Delete(ctx, key); err != nil {
			s.Log.Warn("chat: remove attachment bytes", "account_id", accountID, "attachment_id", id, "error", err.Error())
			continue
		}
		if _, err := s.DB.W.ExecContext(ctx, `DELETE FROM chat_attachments WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			s.Log.Warn("chat: remove attachment row", "account_id", accountID, "attachment_id", id, "error", err.Error())
			continue
		}
		done++
	}
	return done
}
