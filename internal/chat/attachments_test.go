package chat_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chat"
)

func pngBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Attachments: sniffed types, limits, the authorised download and its
// headers, access after removal, deletion with the message; on the data
// dir and (TestAttachmentsS3) on an S3-compatible bucket.
func TestAttachments(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		attachmentSuite(t, setup(t, dialect, "WHATPRO_CHAT_MAX_ATTACHMENT_MB=1"))
	})
}

func TestAttachmentsS3(t *testing.T) {
	t.Parallel()
	backend := s3mem.New()
	if err := backend.CreateBucket("chat"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	e := setup(t, "sqlite", "WHATPRO_CHAT_MAX_ATTACHMENT_MB=1", "WHATPRO_CHAT_S3_ENDPOINT="+srv.URL, "WHATPRO_CHAT_S3_BUCKET=chat",
		"WHATPRO_CHAT_S3_ACCESS_KEY=test", "WHATPRO_CHAT_S3_SECRET_KEY=test-secret", "WHATPRO_CHAT_S3_REGION=us-east-1")
	if _, ok := e.h.App.Chat.Blobs.(*chat.S3Blobs); !ok {
		t.Fatalf("blobs are %T", e.h.App.Chat.Blobs)
	}
	keys := attachmentSuite(t, e)
	// The bytes of the deleted message's file left the bucket; the kept
	// one is there.
	list, err := backend.ListBucket("chat", &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range list.Contents {
		got = append(got, o.Key)
	}
	if len(got) != 1 || got[0] != keys[0] {
		t.Fatalf("bucket holds %v, want only %s", got, keys[0])
	}
}

// attachmentSuite answers the storage keys of the kept attachment and
// of the one removed with its message.
func attachmentSuite(t *testing.T, e *env) []string {
	ana, bia, caio := e.member(t, "Ana"), e.member(t, "Bia"), e.member(t, "Caio")
	rm := e.createRoom(t, ana.Token, map[string]any{"type": "private", "name": "Time", "member_ids": []string{bia.UserID, caio.UserID}})
	pub := e.createRoom(t, ana.Token, map[string]any{"type": "public", "name": "Todos"})

	pic := pngBytes(t)
	var img attachment
	e.upload(t, ana.Token, rm.ID, `..\\..\\etc\\foto.jpg`, pic).Expect(t, 201).Decode(t, &img)
	if img.ContentType != "image/png" || !img.Image || img.Filename != "foto.jpg" || img.Size != int64(len(pic)) || img.MessageID != nil {
		t.Fatalf("uploaded %+v", img)
	}
	// Before it is sent only the uploader may fetch it.
	e.do(t, ana.Token, "GET", img.URL, nil).Expect(t, 200)
	e.do(t, bia.Token, "GET", img.URL, nil).ExpectError(t, 404, "NOT_FOUND")
	var csv attachment
	e.upload(t, ana.Token, rm.ID, "vendas.csv", []byte("a,b\n1,2\n")).Expect(t, 201).Decode(t, &csv)
	if !strings.HasPrefix(csv.ContentType, "text/csv") || csv.Image {
		t.Fatalf("csv %+v", csv)
	}
	apptest.Check(t, apptest.Scenario{Name: "html refused", Status: 415, Code: "UNSUPPORTED_MEDIA_TYPE"},
		e.upload(t, ana.Token, rm.ID, "x.png", []byte("<!DOCTYPE html><script>alert(1)</script>")))
	apptest.Check(t, apptest.Scenario{Name: "svg refused", Status: 415, Code: "UNSUPPORTED_MEDIA_TYPE"},
		e.upload(t, ana.Token, rm.ID, "x.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`)))
	apptest.Check(t, apptest.Scenario{Name: "too big", Status: 413, Code: "PAYLOAD_TOO_LARGE"},
		e.upload(t, ana.Token, rm.ID, "big.txt", bytes.Repeat([]byte("a"), 1<<20+1)))
	apptest.Check(t, apptest.Scenario{Name: "empty", Status: 400, Code: "VALIDATION_ERROR"}, e.upload(t, ana.Token, rm.ID, "e.txt", nil))
	apptest.Check(t, apptest.Scenario{Name: "not a member", Status: 404, Code: "NOT_FOUND"},
		e.upload(t, e.tenant.Admin.Token, rm.ID, "a.txt", []byte("x")))
	apptest.Check(t, apptest.Scenario{Name: "json body", Status: 415, Code: "UNSUPPORTED_MEDIA_TYPE"},
		e.do(t, ana.Token, "POST", e.chat("/rooms/"+rm.ID+"/attachments"), map[string]any{"file": "x"}))

	// Sent with a message: members fetch it, with safe headers.
	m := e.send(t, ana.Token, rm.ID, map[string]any{"content": "", "attachment_ids": []string{img.ID, csv.ID}})
	if len(m.Attachments) != 2 || m.Attachments[0].ID != img.ID {
		t.Fatalf("message attachments %+v", m.Attachments)
	}
	e.do(t, ana.Token, "POST", e.chat("/rooms/"+rm.ID+"/messages"), map[string]any{"content": "again", "attachment_ids": []string{img.ID}}).
		ExpectError(t, 400, "VALIDATION_ERROR")
	r := e.do(t, bia.Token, "GET", img.URL, nil).Expect(t, 200)
	if !bytes.Equal(r.Body, pic) || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "inline") || !strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("download: %v %d bytes", r.Header, len(r.Body))
	}
	r = e.do(t, bia.Token, "GET", csv.URL, nil).Expect(t, 200)
	if !strings.HasPrefix(r.Header.Get("Content-Disposition"), `attachment; filename=vendas.csv`) {
		t.Fatalf("csv disposition %q", r.Header.Get("Content-Disposition"))
	}
	// Not a member (admin of the account), another account: 404. A member
	// removed from the room loses access at once.
	e.do(t, e.tenant.Admin.Token, "GET", img.URL, nil).ExpectError(t, 404, "NOT_FOUND")
	other := e.h.NewTenant(e.super, "Other")
	e.do(t, other.Admin.Token, "GET", img.URL, nil).ExpectError(t, 404, "NOT_FOUND")
	e.do(t, caio.Token, "GET", img.URL, nil).Expect(t, 200)
	e.do(t, ana.Token, "DELETE", e.chat("/rooms/"+rm.ID+"/members/"+caio.UserID), nil).Expect(t, 204)
	e.do(t, caio.Token, "GET", img.URL, nil).ExpectError(t, 404, "NOT_FOUND")

	// Public rooms: readers may fetch, as they may read.
	var doc attachment
	e.upload(t, ana.Token, pub.ID, "nota.txt", []byte("para todos")).Expect(t, 201).Decode(t, &doc)
	e.send(t, ana.Token, pub.ID, map[string]any{"content": "nota", "attachment_ids": []string{doc.ID}})
	e.do(t, caio.Token, "GET", doc.URL, nil).Expect(t, 200)

	// Deleting the message removes its files: rows and bytes.
	var imgKey, docKey string
	imgKey = storageKey(t, e, img.ID)
	docKey = storageKey(t, e, doc.ID)
	e.do(t, ana.Token, "DELETE", e.chat("/rooms/"+pub.ID+"/messages/"+latest(t, e, ana.Token, pub.ID)), nil).Expect(t, 204)
	apptest.Eventually(t, "the deleted message's file is gone", func() bool {
		return e.h.Count(`SELECT count(*) FROM chat_attachments WHERE id = $1`, doc.ID) == 0
	})
	e.do(t, ana.Token, "GET", doc.URL, nil).ExpectError(t, 404, "NOT_FOUND")
	if _, err := e.h.App.Chat.Blobs.Get(context.Background(), docKey); err != chat.ErrBlobMissing {
		t.Fatalf("bytes of a deleted attachment: %v", err)
	}
	b, err := e.h.App.Chat.Blobs.Get(context.Background(), imgKey)
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := io.ReadAll(b)
	b.Close()
	if !bytes.Equal(kept, pic) {
		t.Fatal("kept attachment's bytes changed")
	}
	// Remove csv too so the S3 check sees exactly one object.
	e.h.Exec(`UPDATE chat_attachments SET message_id = NULL, orphaned_at = created_at WHERE id = $1`, csv.ID)
	csvKey := storageKey(t, e, csv.ID)
	if err := e.h.App.Chat.Retain(context.Background(), e.h.App.Chat.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.h.App.Chat.Blobs.Get(context.Background(), csvKey); err != chat.ErrBlobMissing {
		t.Fatalf("sweep left the orphan's bytes: %v", err)
	}
	return []string{imgKey, docKey}
}

func storageKey(t testing.TB, e *env, id string) string {
	t.Helper()
	var k string
	row := e.h.App.DB.R.QueryRow(`SELECT storage_key FROM chat_attachments WHERE id = $1`, id)
	if err := row.Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k
}

func latest(t testing.TB, e *env, token, roomID string) string {
	t.Helper()
	p := e.messages(t, token, roomID, "?limit=1")
	return p.Data[0].ID
}
