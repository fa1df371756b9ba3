package routing

import (
	"slices"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		country, number string
		want            Class
	}{
		// United States (NANP).
		{"US", "5551234", ClassLocal},
		{"US", "2125551234", ClassNational},
		{"US", "12125551234", ClassNational},
		{"US", "18005551234", ClassLocal},
		{"US", "8885551234", ClassLocal},
		{"US", "19005551234", ClassPremium},
		{"US", "9765551234", ClassPremium},
		{"US", "18765551234", ClassInternational}, // Jamaica
		{"US", "8095551234", ClassInternational},  // Dominican Republic
		{"US", "011442079460000", ClassInternational},
		{"US", "+442079460000", ClassInternational},
		{"US", "+12125551234", ClassNational},
		{"US", "01112125551234", ClassNational},
		{"US", "411", ClassNational},
		{"US", "311", ClassLocal},
		{"US", "911", ClassLocal},
		{"US", "0118816312345", ClassPremium}, // Iridium
		// United Kingdom.
		{"GB", "02079460000", ClassNational},
		{"UK", "07700900123", ClassNational},
		{"GB", "08001111", ClassLocal},
		{"GB", "09011234567", ClassPremium},
		{"GB", "07011234567", ClassPremium},
		{"GB", "118500", ClassPremium},
		{"GB", "9460000", ClassLocal},
		{"GB", "0033142685300", ClassInternational},
		{"GB", "00442079460000", ClassNational},
		{"GB", "00449011234567", ClassPremium},
		{"GB", "999", ClassLocal},
		// France.
		{"FR", "0142685300", ClassNational},
		{"FR", "0612345678", ClassNational},
		{"FR", "0800123456", ClassLocal},
		{"FR", "0806123456", ClassNational},
		{"FR", "0899123456", ClassPremium},
		{"FR", "0826123456", ClassPremium},
		{"FR", "118712", ClassPremium},
		{"FR", "3949", ClassPremium},
		{"FR", "+33899123456", ClassPremium},
		{"FR", "004930123456", ClassInternational},
		// Germany.
		{"DE", "03012345678", ClassNational},
		{"DE", "01511234567", ClassNational},
		{"DE", "08001234567", ClassLocal},
		{"DE", "09001234567", ClassPremium},
		{"DE", "01371234567", ClassPremium},
		{"DE", "11833", ClassPremium},
		{"DE", "116117", ClassLocal},
		{"DE", "1234567", ClassLocal},
		// Italy: no trunk prefix.
		{"IT", "0612345678", ClassNational},
		{"IT", "3471234567", ClassNational},
		{"IT", "800123456", ClassLocal},
		{"IT", "892123", ClassPremium},
		{"IT", "1254", ClassPremium},
		{"IT", "+390612345678", ClassNational},
		{"IT", "+39892123", ClassPremium},
		// Spain.
		{"ES", "912345678", ClassNational},
		{"ES", "612345678", ClassNational},
		{"ES", "900123456", ClassLocal},
		{"ES", "902123456", ClassNational},
		{"ES", "905123456", ClassPremium},
		{"ES", "806123456", ClassPremium},
		{"ES", "11888", ClassPremium},
		// Netherlands.
		{"NL", "0201234567", ClassNational},
		{"NL", "0612345678", ClassNational},
		{"NL", "08001234", ClassLocal},
		{"NL", "09001234", ClassPremium},
		{"NL", "1888", ClassPremium},
		{"NL", "1234567", ClassLocal},
		// Australia.
		{"AU", "0298765432", ClassNational},
		{"AU", "0412345678", ClassNational},
		{"AU", "1800123456", ClassLocal},
		{"AU", "131234", ClassLocal},
		{"AU", "1300123456", ClassLocal},
		{"AU", "1900123456", ClassPremium},
		{"AU", "98765432", ClassLocal},
		{"AU", "0011442079460000", ClassInternational},
		{"AU", "0015442079460000", ClassInternational},
		// Switzerland.
		{"CH", "0441234567", ClassNational},
		{"CH", "0791234567", ClassNational},
		{"CH", "0800123456", ClassLocal},
		{"CH", "0900123456", ClassPremium},
		{"CH", "1811", ClassPremium},
		// Belgium.
		{"BE", "021234567", ClassNational},
		{"BE", "0471123456", ClassNational},
		{"BE", "080012345", ClassLocal},
		{"BE", "090512345", ClassPremium},
		// Generic and unknown countries.
		{"", "0142685300", ClassNational},
		{"", "0044123", ClassInternational},
		{"", "+44123", ClassInternational},
		{"", "+979123", ClassPremium},
		{"XX", "0044123", ClassInternational},
	}
	for _, tt := range tests {
		if got := Classify(tt.country, tt.number); got != tt.want {
			t.Errorf("Classify(%q, %q) = %q, want %q", tt.country, tt.number, got, tt.want)
		}
	}
}

func TestEmergencyNumbers(t *testing.T) {
	want := map[string][]string{
		"US": {"911"}, "GB": {"999", "112"}, "UK": {"999", "112"}, "FR": {"15", "17", "18", "112"},
		"DE": {"110", "112"}, "IT": {"112", "113", "115", "118"}, "ES": {"112", "091"},
		"NL": {"112"}, "AU": {"000", "112"}, "CH": {"112", "117", "118", "144"},
		"BE": {"112", "100", "101"}, "": {"112", "911"}, "fr": {"15", "17", "18"},
	}
	for country, nums := range want {
		for _, n := range nums {
			if !IsEmergency(country, n) {
				t.Errorf("IsEmergency(%q, %q) = false", country, n)
			}
			if !slices.Contains(EmergencyNumbers(country), n) {
				t.Errorf("EmergencyNumbers(%q) lacks %q", country, n)
			}
		}
	}
	for _, c := range []struct{ country, number string }{{"US", "112"}, {"FR", "911"}, {"GB", "1120"}, {"XX", "112"}} {
		if IsEmergency(c.country, c.number) {
			t.Errorf("IsEmergency(%q, %q) = true", c.country, c.number)
		}
	}
	if got := Countries(); len(got) != 10 || slices.Contains(got, "UK") {
		t.Errorf("Countries() = %v, want the ten ISO codes", got)
	}
}

func TestClassAllows(t *testing.T) {
	order := []Class{ClassInternal, ClassLocal, ClassNational, ClassInternational, ClassPremium}
	for i, c := range order {
		for j, n := range order {
			if got := c.Allows(n); got != (j <= i) {
				t.Errorf("%q.Allows(%q) = %v", c, n, got)
			}
		}
	}
	if !Class("").Allows(ClassNational) || Class("").Allows(ClassInternational) {
		t.Error("the empty class is not national")
	}
	if Class("bogus").Allows(ClassLocal) || Class("bogus").Valid() || ClassLocal.Allows("bogus") {
		t.Error("an unknown class allows outside calls")
	}
}
