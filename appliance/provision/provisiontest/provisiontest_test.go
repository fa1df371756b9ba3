package provisiontest_test

import (
	"testing"

	"deskline/appliance/provision"
	"deskline/appliance/provision/provisiontest"
)

func TestMemStore(t *testing.T) {
	provisiontest.TestStore(t, provision.NewMemStore())
	var zero provision.MemStore
	provisiontest.TestStore(t, &zero)
}
