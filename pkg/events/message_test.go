package events

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestMessageJSON(t *testing.T) {
	at := time.Unix(1700000000, 123456789)
	cases := []struct {
		m    Message
		want string
	}{
		{New(TypeContainer, "die", "abc", map[string]string{"exitCode": "3", "image": "busybox", "name": "web"}, at),
			`{"status":"die","id":"abc","from":"busybox","Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3","image":"busybox","name":"web"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}`},
		{New(TypeImage, "pull", "busybox:latest", map[string]string{"name": "busybox"}, at),
			`{"status":"pull","id":"busybox:latest","Type":"image","Action":"pull","Actor":{"ID":"busybox:latest","Attributes":{"name":"busybox"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}`},
		{New(TypeVolume, "create", "data", nil, at),
			`{"Type":"volume","Action":"create","Actor":{"ID":"data","Attributes":{}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}`},
	}
	for _, c := range cases {
		b, err := json.Marshal(c.m)
		if err != nil || string(b) != c.want {
			t.Errorf("JSON:\n got %s\nwant %s", b, c.want)
		}
	}
}

func TestPretty(t *testing.T) {
	at := time.Date(2024, 5, 1, 10, 0, 0, 5, time.Local)
	cases := []struct {
		m    Message
		want string
	}{
		{New(TypeContainer, "start", "abc", map[string]string{"name": "web", "image": "busybox"}, at),
			at.Format("2006-01-02T15:04:05") + ".000000005" + at.Format("Z07:00") + " container start abc (image=busybox, name=web)\n"},
		{Message{Type: TypeNetwork, Action: "destroy", Actor: Actor{ID: "n1"}},
			"network destroy n1\n"},
	}
	for _, c := range cases {
		var b bytes.Buffer
		if err := Pretty(&b, c.m); err != nil || b.String() != c.want {
			t.Errorf("Pretty:\n got %q\nwant %q", b.String(), c.want)
		}
	}
}
