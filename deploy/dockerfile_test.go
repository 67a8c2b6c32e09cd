package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// image is the Dockerfile read with BuildKit's own parser.
type image struct {
	stages []instructions.Stage
	args   map[string]string // global ARG defaults
}

func parseDockerfile(t *testing.T, src string) image {
	t.Helper()
	res, err := parser.Parse(strings.NewReader(src))
	if err != nil {
		t.Fatalf("the Dockerfile does not parse: %v", err)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatalf("the Dockerfile: %v", err)
	}
	img := image{stages: stages, args: map[string]string{}}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			img.args[kv.Key] = kv.ValueString()
		}
	}
	return img
}

var argRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)

// base is a stage's FROM with global ARG defaults expanded.
func (img image) base(s instructions.Stage) string {
	return argRef.ReplaceAllStringFunc(s.BaseName, func(m string) string {
		return img.args[argRef.FindStringSubmatch(m)[1]]
	})
}

func commands[T any](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if v, ok := c.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// The image is what the issue asks for: multi-stage, pinned bases, a
// minimal non-root runtime with a healthcheck the binary answers itself and
// the data dir as a volume, nothing fetched at run time.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range lintDockerfile(t, string(raw)) {
		t.Error(p)
	}
	// The lint can fail: each broken variant is caught.
	for name, edit := range map[string][2]string{
		"runs as root":       {"USER 65532:65532", "USER 0"},
		"no user":            {"USER 65532:65532\n", ""},
		"latest runtime":     {"static-debian12:nonroot", "static-debian12:latest"},
		"untagged node":      {"node:20-bookworm-slim", "node"},
		"no healthcheck":     {"HEALTHCHECK", "LABEL x=y\n# HEALTHCHECK"},
		"cgo on":             {"CGO_ENABLED=0", "CGO_ENABLED=1"},
		"single stage":       {"FROM ${RUNTIME_IMAGE}", "RUN true"},
		"fetches at runtime": {"COPY --from=build /out/whatpro", "ADD https://example.com/whatpro"},
	} {
		variant := strings.Replace(string(raw), edit[0], edit[1], 1)
		if variant == string(raw) {
			t.Fatalf("%s: the edit does not apply", name)
		}
		if len(lintDockerfile(t, variant)) == 0 {
			t.Errorf("%s: the lint passed a broken Dockerfile", name)
		}
	}
}

func lintDockerfile(t *testing.T, src string) (problems []string) {
	t.Helper()
	img := parseDockerfile(t, src)
	fail := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if len(img.stages) < 3 {
		fail("%d stages, want a multi-stage build (web app, binary, runtime)", len(img.stages))
		return problems
	}
	names := map[string]bool{}
	for _, s := range img.stages {
		base := img.base(s)
		if names[base] {
			continue // an earlier stage of this file
		}
		names[s.Name] = true
		if base == "scratch" {
			continue
		}
		ref := base
		if i := strings.LastIndex(ref, "/"); i >= 0 {
			ref = ref[i+1:]
		}
		_, tag, hasTag := strings.Cut(ref, ":")
		if !hasTag && !strings.Contains(base, "@sha256:") {
			fail("stage %q: base %q has no tag: pin it", s.Name, base)
		}
		if tag == "latest" || strings.HasPrefix(tag, "latest@") {
			fail("stage %q: base %q uses latest", s.Name, base)
		}
	}

	stagesFrom := func(image string) *instructions.Stage {
		for i := range img.stages {
			if strings.HasPrefix(img.base(img.stages[i]), image) {
				return &img.stages[i]
			}
		}
		return nil
	}
	if stagesFrom("node:") == nil || stagesFrom("golang:") == nil {
		fail("want a Node stage for the web app and a Go stage for the binary")
	}
	if b := stagesFrom("golang:"); b != nil {
		cgoOff := false
		for _, e := range commands[*instructions.EnvCommand](*b) {
			for _, kv := range e.Env {
				cgoOff = cgoOff || (kv.Key == "CGO_ENABLED" && kv.Value == "0")
			}
		}
		if !cgoOff {
			fail("the Go stage does not set CGO_ENABLED=0: the binary would not be static")
		}
		embedsWeb := false
		for _, c := range commands[*instructions.CopyCommand](*b) {
			embedsWeb = embedsWeb || (c.From != "" && slices.ContainsFunc(c.SourcePaths, func(p string) bool { return strings.Contains(p, "web/dist") }))
		}
		if !embedsWeb {
			fail("the Go stage does not copy the built web app (web/dist) from the Node stage before go build")
		}
	}

	final := img.stages[len(img.stages)-1]
	if base := img.base(final); base != "scratch" && !strings.HasPrefix(base, "gcr.io/distroless/static") {
		fail("runtime base %q: want distroless/static or scratch", base)
	}
	users := commands[*instructions.UserCommand](final)
	if len(users) == 0 {
		fail("the runtime stage sets no USER: the hub would run as root")
	} else if u := strings.Split(users[len(users)-1].User, ":")[0]; u == "" || u == "0" || u == "root" {
		fail("runtime USER %q is root", users[len(users)-1].User)
	}
	hc := commands[*instructions.HealthCheckCommand](final)
	if len(hc) != 1 || hc[0].Health == nil || !slices.Contains(hc[0].Health.Test, "healthcheck") || hc[0].Health.Test[0] != "CMD" {
		fail("runtime HEALTHCHECK: %+v, want exec form CMD running `whatpro healthcheck`", hc)
	}
	if runs := commands[*instructions.RunCommand](final); len(runs) > 0 {
		fail("RUN in the runtime stage (%v): distroless has no shell", runs)
	}
	dataDir := ""
	for _, e := range commands[*instructions.EnvCommand](final) {
		for _, kv := range e.Env {
			if kv.Key == "WHATPRO_DATA_DIR" {
				dataDir = kv.Value
			}
		}
	}
	vols := commands[*instructions.VolumeCommand](final)
	if dataDir == "" || len(vols) == 0 || !slices.Contains(vols[0].Volumes, dataDir) {
		fail("data dir %q is not a VOLUME (%v)", dataDir, vols)
	}
	ep := commands[*instructions.EntrypointCommand](final)
	if len(ep) != 1 || ep[0].PrependShell || !strings.HasSuffix(ep[0].CmdLine[0], "/whatpro") {
		fail("ENTRYPOINT %+v: want the binary in exec form", ep)
	}
	for _, s := range img.stages {
		for _, a := range commands[*instructions.AddCommand](s) {
			fail("stage %q: ADD %v; use COPY (ADD can fetch URLs)", s.Name, a.SourcePaths)
		}
	}
	return problems
}

// The build context leaves out what must not reach the image or would
// shadow the freshly built web app.
func TestDockerignore(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(raw))
	for _, want := range []string{".git", "data", "web/node_modules", "web/dist"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
}

// The image build needs a container engine; this machine has only the
// client, so the test runs where an engine answers and skips elsewhere
// (CI included: no engine can be required of it).
func TestImageBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("no docker client")
	}
	if out, err := exec.Command(docker, "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		t.Skipf("no container engine answers: %s", strings.TrimSpace(string(out)))
	}
	root, _ := filepath.Abs("..")
	tag := "whatpro-hub:test-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	build := exec.Command(docker, "build", "-f", "deploy/Dockerfile", "-t", tag, "--build-arg", "VERSION=test", ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(docker, "image", "rm", "-f", tag).Run() })
	out, err := exec.Command(docker, "run", "--rm", tag, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "whatpro test") {
		t.Fatalf("docker run version: %v %s", err, out)
	}
	out, err = exec.Command(docker, "image", "inspect", "--format", "{{.Config.User}} {{json .Config.Healthcheck.Test}}", tag).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "65532") || !strings.Contains(string(out), "healthcheck") {
		t.Fatalf("image config: %v %s", err, out)
	}
}
