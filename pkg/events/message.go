// Package events is berth's side of `berth events`: Docker's event message,
// the --filter rules, the output, the mapping of containerd's events to
// Docker's, and the bounded log the engine keeps so that --since and --until
// can replay what happened before the command started (containerd's event
// service only streams, it keeps no history).
package events

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Types of events, as Docker names them.
const (
	TypeContainer = "container"
	TypeImage     = "image"
	TypeNetwork   = "network"
	TypeVolume    = "volume"
	TypeDaemon    = "daemon"
)

// ScopeLocal is the scope of every engine event; Docker's swarm events are
// "swarm".
const ScopeLocal = "local"

// Actor is the object an event is about.
type Actor struct {
	ID         string
	Attributes map[string]string
}

// Message is Docker's event message, fields in the order of Docker's JSON.
// Status, ID and From are Docker's deprecated fields: filled for container
// events (all three) and image events (the first two), as Docker fills them.
type Message struct {
	Status   string `json:"status,omitempty"`
	ID       string `json:"id,omitempty"`
	From     string `json:"from,omitempty"`
	Type     string
	Action   string
	Actor    Actor
	Scope    string `json:"scope,omitempty"`
	Time     int64  `json:"time,omitempty"`
	TimeNano int64  `json:"timeNano,omitempty"`
}

// New builds a message as Docker's daemon logs one: the scope, both times,
// and the deprecated fields of container and image events.
func New(typ, action, id string, attrs map[string]string, at time.Time) Message {
	if attrs == nil {
		attrs = map[string]string{}
	}
	m := Message{Type: typ, Action: action, Actor: Actor{ID: id, Attributes: attrs},
		Scope: ScopeLocal, Time: at.Unix(), TimeNano: at.UnixNano()}
	switch typ {
	case TypeContainer:
		m.Status, m.ID, m.From = action, id, attrs["image"]
	case TypeImage:
		m.Status, m.ID = action, id
	}
	return m
}

// When is the time of the event.
func (m Message) When() time.Time {
	if m.TimeNano != 0 {
		return time.Unix(0, m.TimeNano)
	}
	return time.Unix(m.Time, 0)
}

// rfc3339NanoFixed is Docker's time layout for events: nanoseconds always
// printed, so the lines of a stream stay aligned.
const rfc3339NanoFixed = "2006-01-02T15:04:05.000000000Z07:00"

// Pretty writes m as `docker events` prints it without --format:
//
//	2024-05-01T10:00:00.000000000Z container start ID (image=busybox, name=web)
func Pretty(w io.Writer, m Message) error {
	var b strings.Builder
	if m.TimeNano != 0 || m.Time != 0 {
		b.WriteString(m.When().Format(rfc3339NanoFixed) + " ")
	}
	fmt.Fprintf(&b, "%s %s %s", m.Type, m.Action, m.Actor.ID)
	if len(m.Actor.Attributes) > 0 {
		keys := make([]string, 0, len(m.Actor.Attributes))
		for k := range m.Actor.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		attrs := make([]string, len(keys))
		for i, k := range keys {
			attrs[i] = k + "=" + m.Actor.Attributes[k]
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(attrs, ", "))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
