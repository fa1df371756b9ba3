package dialplan

import (
	"errors"
	"testing"
)

func TestResolve(t *testing.T) {
	exts := map[string]bool{"1001": true, "1002": true, "42": true}
	p := Plan{HasExtension: func(n string) bool { return exts[n] }, Features: map[string]string{"*4": "short", "*45": FeatureEcho, "*60": FeatureClock}}
	tests := []struct {
		dialled string
		want    Destination
	}{
		{"1001", Destination{Kind: Extension, Extension: "1001"}},
		{"10-02", Destination{Kind: Extension, Extension: "1002"}},
		{"42", Destination{Kind: Extension, Extension: "42"}},
		{"1003", Destination{Kind: Unknown}},
		{"*60", Destination{Kind: Feature, Feature: FeatureClock}},
		{"*45*1234#", Destination{Kind: Feature, Feature: FeatureEcho, Args: "1234"}},
		{"*45*1234%23", Destination{Kind: Feature, Feature: FeatureEcho, Args: "1234"}},
		{"*451", Destination{Kind: Feature, Feature: FeatureEcho, Args: "1"}},
		{"*47", Destination{Kind: Feature, Feature: "short", Args: "7"}},
		{"*45x", Destination{Kind: Unknown}},
		{"*99", Destination{Kind: Unknown}},
		{"", Destination{Kind: Unknown}},
		{"*45", Destination{Kind: Feature, Feature: FeatureEcho}},
		{"1001abc", Destination{Kind: Unknown}},
	}
	for _, tt := range tests {
		if got := p.Resolve("1001", tt.dialled); got != tt.want {
			t.Errorf("Resolve(%q) = %+v, want %+v", tt.dialled, got, tt.want)
		}
	}
	if got := (Plan{}).Resolve("1", "1001"); got.Kind != Unknown {
		t.Errorf("zero Plan resolved %+v", got)
	}
}

func TestValidExtensionNumber(t *testing.T) {
	for _, ok := range []string{"10", "1001", "999999", "2000"} {
		if err := ValidExtensionNumber(ok); err != nil {
			t.Errorf("ValidExtensionNumber(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", "1", "1234567", "0123", "12a4", "*45", "112", "911", "999", " 100"} {
		if err := ValidExtensionNumber(bad); !errors.Is(err, ErrInvalidNumber) {
			t.Errorf("ValidExtensionNumber(%q) = %v, want ErrInvalidNumber", bad, err)
		}
	}
}
