package container

import (
	"crypto/rand"
	"fmt"
	"math/big"
)

// Docker-style generated names: adjective_surname.
var (
	nameLeft = []string{"admiring", "bold", "brave", "calm", "clever", "dazzling", "eager", "elegant",
		"focused", "gallant", "happy", "jolly", "keen", "kind", "laughing", "lucid", "modest", "nifty",
		"optimistic", "pensive", "quirky", "relaxed", "serene", "sharp", "stoic", "tender", "trusting",
		"upbeat", "vibrant", "wizardly", "youthful", "zealous"}
	nameRight = []string{"agnesi", "babbage", "bell", "bohr", "curie", "darwin", "dijkstra", "einstein",
		"euler", "faraday", "fermi", "galileo", "goodall", "hopper", "hypatia", "kepler", "knuth",
		"lamarr", "lovelace", "mayer", "meitner", "newton", "noether", "pascal", "ritchie", "sagan",
		"shannon", "tesla", "thompson", "turing", "wozniak", "yalow"}
)

// generateName returns a random name; after a few collisions a number is
// appended, as docker does.
func generateName(attempt int) string {
	pick := func(list []string) string {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(list))))
		if err != nil {
			return list[0]
		}
		return list[n.Int64()]
	}
	name := pick(nameLeft) + "_" + pick(nameRight)
	if attempt > 0 {
		name = fmt.Sprintf("%s%d", name, attempt)
	}
	return name
}
