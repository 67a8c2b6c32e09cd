package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"
)

const (
	macKeySize = 32
	// macDomain starts every MAC input, so a MAC of this format can never
	// be mistaken for one over some other encoding (or a future version).
	macDomain = "whatpro.audit.v1"
	// macDomainV2 starts the MAC input of rows that sign a digest of their
	// personal fields (see canonicalV2).
	macDomainV2 = "whatpro.audit.v2"
)

// record is one audit_logs row as stored, MAC included.
type record struct {
	ID, ChainID  string
	Seq          int64
	AccountID    sql.NullString
	ActorType    string
	ActorID      string
	Action       string
	ResourceType string
	ResourceID   string
	IP           string
	UserAgent    string
	RequestID    string
	Before       sql.NullString
	After        sql.NullString
	CreatedAt    time.Time
	KeyID        string
	MAC          string // lowercase hex
	// Version 2 rows MAC PersonalDigest (when erased) or the digest of
	// their personal fields; version 1 rows MAC the fields themselves.
	Version        int
	PersonalDigest sql.NullString
}

// canonical encodes every content column and the previous row's MAC so
// that distinct rows can never encode alike: fields come in a fixed order,
// each as a presence byte (0 = NULL, then nothing else; 1 = value) followed
// by a 4-byte big-endian length and the bytes. Seq is decimal, created_at is
// RFC 3339 with nanoseconds in UTC, prevMAC is the previous row's hex MAC
// ("" for seq 1).
func (r *record) canonical(prevMAC string) []byte {
	b := make([]byte, 0, 512)
	put := func(valid bool, s string) {
		if !valid {
			b = append(b, 0)
			return
		}
		b = append(b, 1)
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	for _, s := range []string{macDomain, r.ID, r.ChainID, strconv.FormatInt(r.Seq, 10)} {
		put(true, s)
	}
	put(r.AccountID.Valid, r.AccountID.String)
	for _, s := range []string{r.ActorType, r.ActorID, r.Action, r.ResourceType, r.ResourceID, r.IP, r.UserAgent, r.RequestID} {
		put(true, s)
	}
	put(r.Before.Valid, r.Before.String)
	put(r.After.Valid, r.After.String)
	for _, s := range []string{r.CreatedAt.UTC().Format(time.RFC3339Nano), r.KeyID, prevMAC} {
		put(true, s)
	}
	return b
}

// sum is the row's MAC under key, chained to prevMAC.
func (r *record) sum(key []byte, prevMAC string) string {
	h := hmac.New(sha256.New, key)
	if r.Version >= 2 {
		h.Write(r.canonicalV2(prevMAC))
	} else {
		h.Write(r.canonical(prevMAC))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// personalDigest is the SHA-256 (hex) of the row's personal fields in the
// canonical field encoding, or the digest an erasure kept.
func (r *record) personalDigest() string {
	if r.PersonalDigest.Valid {
		return r.PersonalDigest.String
	}
	b := make([]byte, 0, 256)
	b = appendField(b, true, r.IP)
	b = appendField(b, true, r.UserAgent)
	b = appendField(b, r.Before.Valid, r.Before.String)
	b = appendField(b, r.After.Valid, r.After.String)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// canonicalV2 is canonical with the personal fields replaced by their
// digest: erasing them (and keeping the digest) keeps the MAC.
func (r *record) canonicalV2(prevMAC string) []byte {
	b := make([]byte, 0, 512)
	for _, s := range []string{macDomainV2, r.ID, r.ChainID, strconv.FormatInt(r.Seq, 10)} {
		b = appendField(b, true, s)
	}
	b = appendField(b, r.AccountID.Valid, r.AccountID.String)
	for _, s := range []string{r.ActorType, r.ActorID, r.Action, r.ResourceType, r.ResourceID, r.RequestID, r.personalDigest(),
		r.CreatedAt.UTC().Format(time.RFC3339Nano), r.KeyID, prevMAC} {
		b = appendField(b, true, s)
	}
	return b
}

func appendField(b []byte, valid bool, s string) []byte {
	if !valid {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}
