package providersim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// The media API: uploads for sending by id, and inbound media the hub
// downloads with two GETs, both with the bearer token: the media node
// gives a short-lived URL, the URL gives the bytes.

type cloudMedia struct {
	id, phoneID, mime, sha256, filename string
	data                                []byte
	url                                 string // the current download URL
	urlExpires                          time.Time
}

// storeMedia keeps a file under a new media id (bounded by
// MessageRetention).
func (a *CloudAPI) storeMedia(phoneID string, data []byte, mimeType, filename string) *cloudMedia {
	sum := sha256.Sum256(data)
	m := &cloudMedia{id: randomDigits(16), phoneID: phoneID, mime: mimeType, sha256: hex.EncodeToString(sum[:]),
		filename: filename, data: data}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.media[m.id] = m
	a.mediaOrder = append(a.mediaOrder, m.id)
	if n := len(a.mediaOrder); n > a.opts.MessageRetention {
		for _, id := range a.mediaOrder[:n-a.opts.MessageRetention] {
			delete(a.media, id)
		}
		a.mediaOrder = slices.Clone(a.mediaOrder[n-a.opts.MessageRetention:])
	}
	return m
}

func (a *CloudAPI) mediaByID(id string) *cloudMedia {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.media[id]
}

// MediaFile is an uploaded file's bytes and MIME type (for tests).
func (a *CloudAPI) MediaFile(id string) ([]byte, string, bool) {
	m := a.mediaByID(id)
	if m == nil {
		return nil, "", false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return bytes.Clone(m.data), m.mime, true
}

// uploadMedia is POST /{phone_number_id}/media (multipart file, type,
// messaging_product=whatsapp) → {id}.
func (a *CloudAPI) uploadMedia(c *cloudCall, phoneID string) {
	if _, ok := a.PhoneNumber(phoneID); !ok {
		c.graphError(http.StatusBadRequest, unsupported(c.r.Method, phoneID+"/media"))
		return
	}
	mt, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		c.graphError(http.StatusBadRequest, invalidParam("Upload a file as multipart/form-data with messaging_product, type and file."))
		return
	}
	form, err := multipart.NewReader(bytes.NewReader(c.body), params["boundary"]).ReadForm(maxBody)
	if err != nil {
		c.graphError(http.StatusBadRequest, invalidParam("The multipart body could not be read."))
		return
	}
	defer form.RemoveAll()
	files := form.File["file"]
	if len(form.Value["messaging_product"]) == 0 || form.Value["messaging_product"][0] != "whatsapp" || len(files) == 0 {
		c.graphError(http.StatusBadRequest, invalidParam("The parameters messaging_product and file are required."))
		return
	}
	f, err := files[0].Open()
	if err != nil {
		c.graphError(http.StatusBadRequest, invalidParam("The file could not be read."))
		return
	}
	data, _ := io.ReadAll(f)
	f.Close()
	mimeType := files[0].Header.Get("Content-Type")
	if v := form.Value["type"]; len(v) > 0 && v[0] != "" {
		mimeType = v[0]
	}
	m := a.storeMedia(phoneID, data, mimeType, files[0].Filename)
	c.reply(http.StatusOK, map[string]string{"id": m.id})
}

// mediaNode is GET /{media_id}: a fresh download URL, valid MediaURLTTL.
func (a *CloudAPI) mediaNode(c *cloudCall, m *cloudMedia) {
	token := randomHex(16)
	a.mu.Lock()
	m.url = a.BaseURL() + "/whatsapp_business/attachments/?mid=" + m.id + "&ext=" + strconv.FormatInt(a.now().Unix(), 10) + "&hash=" + token
	m.urlExpires = time.Now().Add(a.opts.MediaURLTTL)
	u := m.url
	a.mu.Unlock()
	c.reply(http.StatusOK, object{{"messaging_product", "whatsapp"}, {"url", u}, {"mime_type", m.mime},
		{"sha256", m.sha256}, {"file_size", len(m.data)}, {"id", m.id}})
}

// deleteMedia is DELETE /{media_id}.
func (a *CloudAPI) deleteMedia(c *cloudCall, id string) {
	a.mu.Lock()
	delete(a.media, id)
	a.mu.Unlock()
	c.reply(http.StatusOK, map[string]bool{"success": true})
}

// download serves a media URL: the bearer token again, and before it
// expires (then Meta answers 404; ask the media node for a new one).
func (a *CloudAPI) download(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m := a.mediaByID(q.Get("mid"))
	c := &cloudCall{w: w, r: r}
	if !a.authenticate(c) {
		return
	}
	a.mu.Lock()
	valid := m != nil && m.url != "" && sameURLHash(m.url, q.Get("hash")) && time.Now().Before(m.urlExpires)
	a.mu.Unlock()
	if !valid {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("URL signature expired"))
		return
	}
	w.Header().Set("Content-Type", m.mime)
	w.Header().Set("Content-Length", strconv.Itoa(len(m.data)))
	_, _ = w.Write(m.data)
}

func sameURLHash(u, hash string) bool {
	parsed, err := url.Parse(u)
	return err == nil && hash != "" && parsed.Query().Get("hash") == hash
}

// UploadMedia stores a file as if the business had uploaded it, for
// tests that send media by id.
func (a *CloudAPI) UploadMedia(phoneNumberID string, data []byte, mimeType string) string {
	return a.storeMedia(phoneNumberID, data, mimeType, "").id
}
