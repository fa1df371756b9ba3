package acdtest_test

import (
	"testing"

	"deskline/acd"
	"deskline/acd/acdtest"
)

func TestBuiltinStrategies(t *testing.T) {
	for _, name := range acd.BuiltinStrategies() {
		t.Run(name, func(t *testing.T) {
			acdtest.RunStrategy(t, func() acd.Strategy { return acd.NewStrategy(name) })
		})
	}
}
