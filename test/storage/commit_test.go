package storage_test

import (
	"regexp"
	"strings"
	"testing"
)

// imageIDLine is what commit and import print.
var imageIDLine = regexp.MustCompile(`^sha256:[0-9a-f]{64}\n$`)

func mustImageID(t *testing.T, args ...string) string {
	t.Helper()
	r := berth(t, args...)
	if r.ExitCode != 0 || !imageIDLine.MatchString(r.Stdout) || r.Stderr != "" {
		t.Fatalf("want an image ID:\n%s", r)
	}
	return strings.TrimSpace(r.Stdout)
}

func TestCommitWithChangesThenRun(t *testing.T) {
	ctr := running(t, "-e", "FROM_RUN=1", "-w", "/tmp")
	exec(t, ctr, "echo committed > /hello && rm /etc/group")
	ref := "berth-test/commit:changes"
	cleanupImages(t, ref)
	id := mustImageID(t, "commit", "-m", "my message", "-a", "Jo <jo@example.com>",
		"-c", `CMD ["cat", "/hello"]`, "-c", "ENV GREETING=hi EXTRA=${FROM_RUN}x",
		"-c", "EXPOSE 80 53/udp", "-c", `LABEL purpose="the test"`, "-c", "USER nobody",
		"-c", "WORKDIR sub", "-c", "VOLUME /data", "-c", "STOPSIGNAL SIGINT", ctr, ref)

	expect(t, berth(t, "image", "inspect", "--format",
		"{{.Id}}|{{.Author}}|{{.Comment}}|{{json .Config.Cmd}}|{{json .Config.Env}}|{{json .Config.ExposedPorts}}|{{json .Config.Labels}}|{{.Config.User}}|{{.Config.WorkingDir}}|{{json .Config.Volumes}}|{{.Config.StopSignal}}", ref),
		0, id+`|Jo <jo@example.com>|my message|["cat","/hello"]|["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","FROM_RUN=1","GREETING=hi","EXTRA=1x"]|{"53/udp":{},"80/tcp":{}}|{"purpose":"the test"}|nobody|/tmp/sub|{"/data":{}}|SIGINT`+"\n", "")

	// The new image runs with the committed files and config.
	expect(t, berth(t, "run", "--rm", "--user", "root", ref), 0, "committed\n", "")
	expect(t, berth(t, "run", "--rm", ref, "sh", "-c", "id -u; pwd; test -e /etc/group || echo group gone"), 0, "65534\n/tmp/sub\ngroup gone\n", "")

	// history shows the committed layer on top of the image's.
	r := mustBerth(t, "history", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Comment}}|{{.Size}}", ref)
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("history:\n%s", r.Stdout)
	}
	top := strings.Split(lines[0], "|")
	if top[0] != strings.TrimPrefix(id, "sha256:")[:12] || top[1] != "sleep 600" || top[2] != "my message" || top[3] == "0B" {
		t.Errorf("history's newest entry %q, want the committed layer", lines[0])
	}
	if !strings.HasPrefix(lines[1], "<missing>|") {
		t.Errorf("history's base entry %q", lines[1])
	}
	// The container goes on running, unpaused.
	expect(t, berth(t, "inspect", "--format", "{{.State.Status}}", ctr), 0, "running\n", "")
}

func TestCommitWithoutPauseAndUntagged(t *testing.T) {
	ctr := running(t)
	exec(t, ctr, "touch /marker")
	id := mustImageID(t, "container", "commit", "--pause=false", ctr)
	cleanupImages(t, id)
	expect(t, berth(t, "images", "--filter", "dangling=true", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"),
		0, "<none>:<none> "+strings.TrimPrefix(id, "sha256:")[:12]+"\n", "")
	// The files are in it.
	tag := "berth-test/commit:untagged"
	mustBerth(t, "tag", id, tag)
	cleanupImages(t, tag)
	expect(t, berth(t, "run", "--rm", tag, "ls", "/marker"), 0, "/marker\n", "")
}

func TestCommitReplacesTag(t *testing.T) {
	ctr := stopped(t, "echo 1 > /gen")
	ref := "berth-test/commit:replace"
	first := mustImageID(t, "commit", ctr, ref)
	second := mustImageID(t, "commit", "-c", "ENV GEN=2", ctr, ref)
	cleanupImages(t, ref, first)
	if first == second {
		t.Fatal("the second commit made the same image")
	}
	expect(t, berth(t, "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}", "--filter", "reference=berth-test/commit"),
		0, "berth-test/commit:replace "+strings.TrimPrefix(second, "sha256:")[:12]+"\n", "")
	expect(t, berth(t, "image", "inspect", "--format", "{{.RepoTags}}", first), 0, "[]\n", "")
}

func TestCommitUnchangedContainerHasEmptyLayer(t *testing.T) {
	name := ctrName(t)
	mustBerth(t, "create", "--name", name, busybox(t), "true")
	t.Cleanup(func() { berth(t, "rm", "-f", name) })
	ref := "berth-test/commit:empty"
	cleanupImages(t, ref)
	mustImageID(t, "commit", "-m", "nothing", name, ref)
	expect(t, berth(t, "history", "--format", "{{.Size}} {{.Comment}}", ref), 0, "0B nothing\n2.01MB \n", "")
	base := mustBerth(t, "image", "inspect", "--format", "{{json .RootFS.Layers}}", busybox(t)).Stdout
	expect(t, berth(t, "image", "inspect", "--format", "{{json .RootFS.Layers}}", ref), 0, base, "")
}

func TestCommitRefusals(t *testing.T) {
	busybox(t)
	before := mustBerth(t, "images", "-a", "-q", "--no-trunc").Stdout
	name := ctrName(t)
	mustBerth(t, "create", "--name", name, busybox(t), "true")
	mustBerth(t, "rm", name)
	expect(t, berth(t, "commit", name, "berth-test/commit:gone"), 125, "", "berth: No such container: "+name+"\n")

	ctr := stopped(t, "true")
	expect(t, berth(t, "commit", "-c", "RUN echo hi", ctr), 125, "", "berth: run is not a valid change command\n")
	expect(t, berth(t, "commit", "-c", "ENV", ctr), 125, "", "berth: ENV requires at least one argument\n")
	expect(t, berth(t, "commit", "-c", "EXPOSE nope", ctr), 125, "", "berth: invalid port \"nope\" in EXPOSE\n")
	expect(t, berth(t, "commit", ctr, "Bad:Name"), 125, "", "berth: invalid reference format: repository name (Bad:Name) must be lowercase\n")
	expect(t, berth(t, "commit", ctr, "x@sha256:"+strings.Repeat("a", 64)), 125, "", "berth: cannot commit to digest reference\n")
	expect(t, berth(t, "commit"), 125, "", "berth: \"berth commit\" requires at least 1 and at most 2 arguments.\n"+
		"See 'berth commit --help'.\n\nUsage:  berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]] [flags]\n\nCreate a new image from a container's changes\n")
	if after := mustBerth(t, "images", "-a", "-q", "--no-trunc").Stdout; after != before {
		t.Errorf("a refused commit changed the images:\n%s\nwas\n%s", after, before)
	}
}
