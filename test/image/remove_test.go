package image_test

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

func TestTag(t *testing.T) {
	a := newImage(t, testutil.WithEnv("WHICH=a"))
	b := newImage(t, testutil.WithEnv("WHICH=b"))
	load(t, ociArchive(t, a, "docker.io/berth-test/tag-a:1"), "Loaded image: berth-test/tag-a:1\n", imageID(a))
	load(t, ociArchive(t, b, "docker.io/berth-test/tag-b:1"), "Loaded image: berth-test/tag-b:1\n", imageID(b))
	mine := "label=berth.test=" + t.Name()
	list := func() string {
		return mustBerth(t, "images", "--filter", mine, "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").Stdout
	}

	expect(t, berth(t, "tag", "berth-test/tag-a:1", "localhost:5000/team/tag-a:v2"), 0, "", "")
	expect(t, berth(t, "tag", shortID(imageID(a)), "berth-test/tag-x"), 0, "", "")
	cleanupImages(t, "localhost:5000/team/tag-a:v2", "berth-test/tag-x")
	// Same created time: rows of one image by name, images by ID.
	rowsA := "berth-test/tag-a:1 " + shortID(imageID(a)) + "\nberth-test/tag-x:latest " + shortID(imageID(a)) +
		"\nlocalhost:5000/team/tag-a:v2 " + shortID(imageID(a)) + "\n"
	rowB := "berth-test/tag-b:1 " + shortID(imageID(b)) + "\n"
	if imageID(a) < imageID(b) {
		expect(t, berth(t, "images", "--filter", mine, "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"), 0, rowsA+rowB, "")
	} else {
		expect(t, berth(t, "images", "--filter", mine, "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"), 0, rowB+rowsA, "")
	}

	// Moving b's only name to a leaves b untagged, as docker does.
	expect(t, berth(t, "tag", "berth-test/tag-a:1", "berth-test/tag-b:1"), 0, "", "")
	got := list()
	wantB := "<none>:<none> " + shortID(imageID(b)) + "\n"
	if !strings.Contains(got, wantB) || !strings.Contains(got, "berth-test/tag-b:1 "+shortID(imageID(a))+"\n") {
		t.Errorf("after retag:\n%s", got)
	}

	expect(t, berth(t, "tag", "berth-test/nope", "berth-test/x"), 125, "", "berth: No such image: berth-test/nope:latest\n")
	expect(t, berth(t, "tag", "berth-test/tag-a:1", "Berth-Test/X"), 125, "",
		"berth: invalid reference format: repository name (Berth-Test/X) must be lowercase\n")
	expect(t, berth(t, "tag", "berth-test/tag-a:1", "berth-test/x@"+a.Digest().String()), 125, "",
		"berth: refusing to create a tag with a digest reference\n")
	expect(t, berth(t, "tag", "berth-test/tag-a:1"), 125, "",
		"berth: \"berth tag\" requires exactly 2 arguments.\nSee 'berth tag --help'.\n\nUsage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG] [flags]\n\nCreate a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n")
}

func TestRemove(t *testing.T) {
	img := newImage(t)
	id := imageID(img)
	path := ociArchive(t, img, "docker.io/berth-test/rm:1")
	load(t, path, "Loaded image: berth-test/rm:1\n", id)

	// A second name: removing one only untags.
	mustBerth(t, "tag", "berth-test/rm:1", "berth-test/rm:2")
	expect(t, berth(t, "rmi", "berth-test/rm:2"), 0, "Untagged: berth-test/rm:2\n", "")
	// The last name by ID removes the image.
	expect(t, berth(t, "rmi", shortID(id)), 0, "Untagged: berth-test/rm:1\nDeleted: "+id+"\n", "")
	expect(t, berth(t, "image", "inspect", "--format", "{{.Id}}", id), 125, "", "berth: No such image: "+id+"\n")

	// Names in two repositories: by ID it must be forced.
	load(t, path, "Loaded image: berth-test/rm:1\n")
	mustBerth(t, "tag", "berth-test/rm:1", "berth-test/rm-other:1")
	expect(t, berth(t, "rmi", shortID(id)), 125, "",
		"berth: conflict: unable to delete "+shortID(id)+" (must be forced) - image is referenced in multiple repositories\n")
	expect(t, berth(t, "image", "rm", "-f", shortID(id)), 0,
		"Untagged: berth-test/rm-other:1\nUntagged: berth-test/rm:1\nDeleted: "+id+"\n", "")

	// By repository and manifest digest, as a pulled image is known.
	load(t, path, "Loaded image: berth-test/rm:1\n")
	expect(t, berth(t, "rmi", "berth-test/rm@"+img.Digest().String()), 0, "Untagged: berth-test/rm:1\nDeleted: "+id+"\n", "")

	// Unknown images: an error, but only a report with -f; the others are
	// still removed.
	expect(t, berth(t, "rmi", "berth-test/nope"), 125, "", "berth: No such image: berth-test/nope:latest\n")
	expect(t, berth(t, "rmi", "-f", "berth-test/nope"), 0, "", "berth: No such image: berth-test/nope:latest\n")
	load(t, path, "Loaded image: berth-test/rm:1\n")
	expect(t, berth(t, "image", "remove", "berth-test/nope", "berth-test/rm:1"), 125,
		"Untagged: berth-test/rm:1\nDeleted: "+id+"\n", "berth: No such image: berth-test/nope:latest\n")
	expect(t, berth(t, "rmi"), 125, "",
		"berth: \"berth rmi\" requires at least 1 argument.\nSee 'berth rmi --help'.\n\nUsage:  berth rmi [OPTIONS] IMAGE [IMAGE...] [flags]\n\nRemove one or more images\n")
}

// TestRemoveInUse follows docker: an image a container uses is not removed
// without force, and a running container's image survives even -f, untagged.
func TestRemoveInUse(t *testing.T) {
	img := newImage(t)
	id, short := imageID(img), shortID(imageID(img))
	load(t, ociArchive(t, img, "docker.io/berth-test/inuse:1"), "Loaded image: berth-test/inuse:1\n", id)
	cid := randomID(t)
	mustCtr(t, "container", "create", "docker.io/berth-test/inuse:1", cid, "sleep", "1000")
	t.Cleanup(func() {
		_, _ = ctr(t, "task", "kill", "-s", "KILL", cid)
		_, _ = ctr(t, "task", "rm", "-f", cid)
		_, _ = ctr(t, "container", "rm", cid)
	})

	expect(t, berth(t, "rmi", "berth-test/inuse:1"), 125, "", "berth: conflict: unable to remove repository reference \"berth-test/inuse:1\" (must force) - container "+cid[:12]+" is using its referenced image "+short+"\n")
	expect(t, berth(t, "rmi", short), 125, "", "berth: conflict: unable to delete "+short+" (must be forced) - image is being used by stopped container "+cid[:12]+"\n")

	mustCtr(t, "task", "start", "-d", cid)
	expect(t, berth(t, "rmi", "-f", short), 125, "", "berth: conflict: unable to delete "+short+" (cannot be forced) - image is being used by running container "+cid[:12]+"\n")
	expect(t, berth(t, "rmi", "-f", "berth-test/inuse:1"), 0, "Untagged: berth-test/inuse:1\n", "")
	expect(t, berth(t, "images", "--filter", "label=berth.test="+t.Name(), "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"),
		0, "<none>:<none> "+short+"\n", "")
	expect(t, berth(t, "image", "prune", "-a", "-f", "--filter", "label=berth.test="+t.Name()), 0, "Total reclaimed space: 0B\n", "")
	expect(t, berth(t, "rmi", "-f", short), 125, "", "berth: conflict: unable to delete "+short+" (cannot be forced) - image is being used by running container "+cid[:12]+"\n")

	// Stopped: -f removes it.
	mustCtr(t, "task", "kill", "-s", "KILL", cid)
	waitStopped(t, cid)
	mustCtr(t, "task", "rm", cid)
	expect(t, berth(t, "rmi", "-f", short), 0, "Deleted: "+id+"\n", "")
}

func randomID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// waitStopped waits until the container's task has exited.
func waitStopped(t *testing.T, cid string) {
	t.Helper()
	for {
		out, err := ctr(t, "task", "ls")
		if err != nil {
			t.Fatalf("ctr task ls: %v\n%s", err, out)
		}
		stopped := true
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) == 3 && f[0] == cid && f[2] != "STOPPED" {
				stopped = false
			}
		}
		if stopped {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
