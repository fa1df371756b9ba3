package routing

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zone files
)

func TestTimeConditionActive(t *testing.T) {
	office := TimeCondition{
		TimeZone: "Europe/Paris",
		Weekly: []Interval{
			{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "09:00", To: "12:30"},
			{Days: []string{"Mon", "TUE", "wed", "thu", "fri"}, From: "14:00", To: "18:00"},
		},
		Holidays: []string{"2026-12-25"},
	}
	night := TimeCondition{TimeZone: "America/New_York", Weekly: []Interval{{Days: []string{"fri", "sun"}, From: "22:00", To: "06:00"}}}
	paris := func(s string) time.Time {
		loc, _ := time.LoadLocation("Europe/Paris")
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		tc   TimeCondition
		at   time.Time
		want bool
	}{
		{office, paris("2026-11-23 09:00"), true}, // Monday
		{office, paris("2026-11-23 08:59"), false},
		{office, paris("2026-11-23 12:29"), true},
		{office, paris("2026-11-23 12:30"), false},
		{office, paris("2026-11-23 17:59"), true},
		{office, paris("2026-11-28 10:00"), false}, // Saturday
		{office, paris("2026-12-25 10:00"), false}, // holiday, a Friday
		{office, paris("2026-12-24 10:00"), true},
		// The same instant seen from UTC: 08:30 UTC is 09:30 in Paris in winter.
		{office, time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC), true},
		// Summer time: 07:30 UTC is 09:30 in Paris.
		{office, time.Date(2026, 7, 6, 7, 30, 0, 0, time.UTC), true},
		{office, time.Date(2026, 7, 6, 6, 30, 0, 0, time.UTC), false},
		// Past midnight: Friday 22:00 to Saturday 06:00 New York time.
		{night, time.Date(2026, 11, 28, 4, 0, 0, 0, time.UTC), true},  // Fri 23:00 EST
		{night, time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), true}, // Sat 05:00 EST
		{night, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), false},
		// Sunday night wraps into Monday, across the end of the week.
		{night, time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), true}, // Mon 05:00 EST
		{night, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), false},
		{TimeCondition{}, time.Now(), true},
		{TimeCondition{Weekly: []Interval{{Days: []string{"sat"}, From: "00:00", To: "24:00"}}}, time.Date(2026, 11, 28, 23, 59, 0, 0, time.UTC), true},
		{TimeCondition{Weekly: []Interval{{Days: []string{"sat"}, From: "00:00", To: "00:00"}}}, time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), true},
		{TimeCondition{TimeZone: "Mars/Olympus"}, time.Now(), false},
	}
	for i, tt := range tests {
		if got := tt.tc.Active(tt.at); got != tt.want {
			t.Errorf("%d: Active(%v) = %v, want %v", i, tt.at, got, tt.want)
		}
	}
	if !(*Schedule)(nil).Active(time.Now()) {
		t.Error("a nil Schedule is not active")
	}
}

func TestTimeConditionErrors(t *testing.T) {
	tests := []struct {
		tc    TimeCondition
		field string
	}{
		{TimeCondition{TimeZone: "Nowhere/City"}, "time_zone"},
		{TimeCondition{TimeZone: "Local"}, "time_zone"},
		{TimeCondition{Weekly: []Interval{{Days: []string{"mon"}, From: "9:00", To: "17:00"}}}, "weekly[0].from"},
		{TimeCondition{Weekly: []Interval{{Days: []string{"mon"}, From: "09:00", To: "25:00"}}}, "weekly[0].to"},
		{TimeCondition{Weekly: []Interval{{Days: []string{"mon"}, From: "24:00", To: "23:00"}}}, "weekly[0].from"},
		{TimeCondition{Weekly: []Interval{{Days: []string{"mon"}, From: "+9:00", To: "23:00"}}}, "weekly[0].from"},
		{TimeCondition{Weekly: []Interval{{Days: []string{"mon"}, From: "09:60", To: "23:00"}}}, "weekly[0].from"},
		{TimeCondition{Weekly: []Interval{{From: "09:00", To: "17:00"}}}, "weekly[0].days"},
		{TimeCondition{Weekly: []Interval{{Days: []string{"mon", "lun"}, From: "09:00", To: "17:00"}}}, "weekly[0].days[1]"},
		{TimeCondition{Holidays: []string{"25/12/2026"}}, "holidays[0]"},
	}
	for _, tt := range tests {
		_, err := tt.tc.Compile()
		if !errors.Is(err, ErrBadTime) || !strings.Contains(err.Error(), tt.field+":") {
			t.Errorf("Compile(%+v) = %v, want ErrBadTime naming %s", tt.tc, err, tt.field)
		}
	}
}

func TestScheduleAllocs(t *testing.T) {
	s, err := TimeCondition{TimeZone: "Europe/Paris", Weekly: []Interval{{Days: []string{"mon"}, From: "09:00", To: "17:00"}}, Holidays: []string{"2026-12-25"}}.Compile()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	if a := testing.AllocsPerRun(100, func() { s.Active(now) }); a != 0 {
		t.Errorf("Schedule.Active allocates %v times", a)
	}
}
