package webuitest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"deskline/webui"
	"deskline/webui/webuitest"
)

func TestMemoryBackend(t *testing.T) {
	ctx := context.Background()
	clock := webuitest.NewClock(time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))
	b := webuitest.NewMemoryBackend()
	b.Now = clock.Now

	if _, err := b.CreateExtension(ctx, webui.ExtensionInput{Number: "201", Name: "A", Password: "sip-secret-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.CreateExtension(ctx, webui.ExtensionInput{Number: "201", Name: "B", Password: "sip-secret-1"}); !errors.Is(err, webui.ErrConflict) {
		t.Errorf("duplicate create: %v, want ErrConflict", err)
	}
	for _, in := range []webui.ExtensionInput{
		{Number: "", Password: "sip-secret-1"},
		{Number: "2x1", Password: "sip-secret-1"},
		{Number: "1234567890123456", Password: "sip-secret-1"},
		{Number: "202", Password: "short"},
		{Number: "202", Name: "a\nb", Password: "sip-secret-1"},
	} {
		if _, err := b.CreateExtension(ctx, in); !errors.Is(err, webui.ErrInvalid) {
			t.Errorf("CreateExtension(%+v): %v, want ErrInvalid", in, err)
		}
	}
	if _, err := b.UpdateExtension(ctx, "999", webui.ExtensionInput{Number: "999"}); !errors.Is(err, webui.ErrNotFound) {
		t.Errorf("update missing: %v, want ErrNotFound", err)
	}

	b.SetRegistrations(webui.Registration{Extension: "201", Expires: clock.Now().Add(time.Minute)})
	if e, _ := b.GetExtension(ctx, "201"); !e.Registered {
		t.Error("201 not registered")
	}
	clock.Advance(time.Minute)
	if e, _ := b.GetExtension(ctx, "201"); e.Registered {
		t.Error("201 registered after its registration expired")
	}
	if st, _ := b.Status(ctx); st.Extensions != 1 || st.Registrations != 0 {
		t.Errorf("Status = %+v", st)
	}
}

func TestMemoryUserStore(t *testing.T) {
	ctx := context.Background()
	s := webuitest.NewMemoryUserStore()
	if ok, _ := s.HasAdmin(ctx); ok {
		t.Error("empty store has an admin")
	}
	if _, err := s.GetUser(ctx, "admin"); !errors.Is(err, webui.ErrNotFound) {
		t.Errorf("GetUser on empty store: %v, want ErrNotFound", err)
	}
	u := webui.User{Name: "admin", Role: webui.RoleAdmin, PasswordHash: "x"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, u); !errors.Is(err, webui.ErrConflict) {
		t.Errorf("second CreateUser: %v, want ErrConflict", err)
	}
	if got, _ := s.GetUser(ctx, "admin"); got != u {
		t.Errorf("GetUser = %+v, want %+v", got, u)
	}
	if ok, _ := s.HasAdmin(ctx); !ok {
		t.Error("HasAdmin = false after creating admin")
	}
}
