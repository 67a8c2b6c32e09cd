package chat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Blobs stores attachment bytes under keys the chat chooses
// ("<account>/<attachment id>"); they are only ever served through the
// authorised download route, never by a URL of the store.
type Blobs interface {
	Kind() string // "local" or "s3", recorded with each attachment
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// ErrBlobMissing is a key with no bytes behind it.
var ErrBlobMissing = errors.New("chat: attachment bytes missing")

// LocalBlobs keeps bytes in a directory of the data dir.
type LocalBlobs struct{ Dir string }

func (LocalBlobs) Kind() string { return "local" }

func (l LocalBlobs) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") || strings.ContainsAny(key, "\\\x00") {
		return "", fmt.Errorf("chat: bad blob key %q", key)
	}
	return filepath.Join(l.Dir, filepath.FromSlash(key)), nil
}

// Put writes to a temporary file and renames it, so a reader never sees
// half a file.
func (l LocalBlobs) Put(_ context.Context, key string, r io.Reader, _ int64, _ string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}

func (l LocalBlobs) Get(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrBlobMissing
	}
	return f, err
}

func (l LocalBlobs) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// S3Config names an S3-compatible bucket.
type S3Config struct {
	Endpoint  string // host[:port], or a URL whose scheme says TLS
	Bucket    string
	AccessKey string
	SecretKey string
	Region    string
	Insecure  bool // plain HTTP (a bucket on the same private network)
	PathStyle bool // bucket in the path, not the host name (MinIO, most self-hosted stores)
	Prefix    string
}

// S3Blobs keeps bytes in an S3-compatible bucket (AWS S3, MinIO, R2,
// Wasabi, …) through minio-go.
type S3Blobs struct {
	c      *minio.Client
	bucket string
	prefix string
}

// NewS3Blobs connects to the bucket (no request is made until first use).
func NewS3Blobs(cfg S3Config) (*S3Blobs, error) {
	host, secure := cfg.Endpoint, !cfg.Insecure
	if u, err := url.Parse(cfg.Endpoint); err == nil && u.Host != "" {
		host, secure = u.Host, u.Scheme == "https"
	}
	if host == "" || cfg.Bucket == "" {
		return nil, errors.New("chat: the S3 endpoint and bucket are required")
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(host, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: secure,
		Region: cfg.Region, BucketLookup: lookup})
	if err != nil {
		return nil, fmt.Errorf("chat: S3 client: %w", err)
	}
	return &S3Blobs{c: c, bucket: cfg.Bucket, prefix: strings.Trim(cfg.Prefix, "/")}, nil
}

func (S3Blobs) Kind() string { return "s3" }

func (s *S3Blobs) object(key string) string {
	if s.prefix == "" {
		return key
	}
	return s.prefix + "/" + key
}

func (s *S3Blobs) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	_, err := s.c.PutObject(ctx, s.bucket, s.object(key), r, size, minio.PutObjectOptions{ContentType: contentType,
		ContentDisposition: "attachment"})
	return err
}

func (s *S3Blobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	o, err := s.c.GetObject(ctx, s.bucket, s.object(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	// GetObject is lazy: Stat makes the request and tells a missing key.
	if _, err := o.Stat(); err != nil {
		o.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, ErrBlobMissing
		}
		return nil, err
	}
	return o, nil
}

func (s *S3Blobs) Delete(ctx context.Context, key string) error {
	err := s.c.RemoveObject(ctx, s.bucket, s.object(key), minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code == "NoSuchKey" {
		return nil
	}
	return err
}
