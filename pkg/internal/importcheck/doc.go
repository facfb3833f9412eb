// Package importcheck holds no code: its test keeps the layering of STYLE
// rule 1. Packages under pkg/ do the work and never import cobra or pflag;
// flags belong to cmd/berth.
package importcheck
