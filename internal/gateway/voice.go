package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/provider"
)

// The Cloud API plays only OGG/Opus as a voice message, while Chatwoot
// records agents' voice notes in the browser's format (WebM, MP3, WAV).
// The hub converts them with the system's ffmpeg when it is on PATH (a
// separate process, so the binary stays CGO-free); without it, or when
// the conversion fails, the audio goes as a file and a private note tells
// the agent why.

const ffmpegTimeout = time.Minute

// cloudVoice prepares a voice note for the Cloud API. It returns the
// private note to add once the message went out ("" when it went as a
// voice note).
func cloudVoice(ctx context.Context, out *provider.OutMessage) string {
	ogg, err := toOpus(ctx, out.Data)
	if err == nil {
		out.Data, out.MIME, out.FileName = ogg, "audio/ogg", replaceExt(out.FileName, ".ogg")
		return ""
	}
	out.Kind, out.Voice = "document", false
	if out.FileName == "" {
		out.FileName = "audio" + extension(out.MIME)
	}
	if errors.Is(err, exec.ErrNotFound) {
		return "This voice message went to WhatsApp as an audio file, not as a voice note: the Cloud API plays only " +
			"OGG/Opus voice notes and the hub's server has no ffmpeg to convert it (ask the administrator to install ffmpeg)."
	}
	return "This voice message went to WhatsApp as an audio file, not as a voice note: converting it to OGG/Opus failed (" +
		clip(err.Error(), 200) + ")."
}

// toOpus runs ffmpeg over the audio: mono Opus in an OGG container, as
// WhatsApp's own voice notes are.
func toOpus(ctx context.Context, audio []byte) ([]byte, error) {
	path, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, ffmpegTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-hide_banner", "-loglevel", "error", "-i", "pipe:0",
		"-vn", "-ac", "1", "-c:a", "libopus", "-b:a", "32k", "-f", "ogg", "pipe:1")
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(audio), &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %v %s", err, strings.TrimSpace(stderr.String()))
	}
	if !bytes.HasPrefix(stdout.Bytes(), []byte("OggS")) {
		return nil, errors.New("ffmpeg wrote no OGG stream")
	}
	return stdout.Bytes(), nil
}

func replaceExt(name, ext string) string {
	if name == "" {
		return "voice" + ext
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	return name + ext
}
