package providersim

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/qr"
)

// Evolution renders QR codes with the node "qrcode" package: error
// correction H, a 3-module quiet zone, 4 pixels per module, dark modules in
// QRCODE_COLOR (default #198754). The same library already ships in the
// binary through pquerna/otp, so the simulated code is a real, scannable
// QR of the pairing string rather than a placeholder.
const (
	qrMargin = 3
	qrScale  = 4
)

var qrPalette = color.Palette{color.White, color.RGBA{0x19, 0x87, 0x54, 0xff}}

// qrDataURL encodes content as a PNG data URL like qrcode.toDataURL.
func qrDataURL(content string) (string, error) {
	code, err := qr.Encode(content, qr.H, qr.Auto)
	if err != nil {
		return "", err
	}
	n := code.Bounds().Dx()
	side := (n + 2*qrMargin) * qrScale
	img := image.NewPaletted(image.Rect(0, 0, side, side), qrPalette)
	for y := range n {
		for x := range n {
			if code.At(x, y) != color.Black {
				continue
			}
			for dy := range qrScale {
				for dx := range qrScale {
					img.SetColorIndex((x+qrMargin)*qrScale+dx, (y+qrMargin)*qrScale+dy, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
