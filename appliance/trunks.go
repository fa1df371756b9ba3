package appliance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"deskline/appliance/sip"
	"deskline/storage"
	"deskline/webui"
)

// trunkAPI is the web panel's TrunkBackend: trunks are stored in the
// "trunks" collection (the provider password as given: the box must
// answer the provider's challenges with it) and handed to the SIP server
// on every change.
type trunkAPI struct{ a *Appliance }

// applyTrunks gives the SIP server the stored trunks.
func (a *Appliance) applyTrunks() error {
	list, err := a.trunks.List()
	if err != nil {
		return err
	}
	out := make([]sip.Trunk, 0, len(list))
	for _, t := range list {
		out = append(out, sipTrunk(t))
	}
	return a.sip.SetTrunks(out)
}

// trunksChanged applies the stored trunks after an API change, and
// rebuilds the routes, which may name only trunks that exist.
func (a *Appliance) trunksChanged() {
	if err := a.applyTrunks(); err != nil {
		a.log.Error("trunks not applied", "err", err)
	}
	a.routes.reapply()
}

func sipTrunk(t webui.Trunk) sip.Trunk {
	st := sip.Trunk{
		Name: t.Name, Host: t.Host, Transport: t.Transport, Proxy: t.Proxy,
		Username: t.Username, AuthUser: t.AuthUser, Realm: t.Realm, Password: t.Password, Register: t.Register,
		Expiry: time.Duration(t.Expiry) * time.Second, Sources: t.Sources, Codecs: t.Codecs,
		CallerID: t.CallerIDMode, Number: t.CallerID, DTMF: t.DTMF, MaxChannels: t.MaxChannels, KeepAlive: time.Duration(t.KeepAlive) * time.Second,
	}
	if t.KeepAlive < 0 {
		st.KeepAlive = -1
	}
	return st
}

// checkTrunk validates a trunk as the SIP server would, naming the field.
func checkTrunk(t webui.Trunk) error {
	if t.Expiry < 0 {
		return fieldErr("expiry", "must be 0 (the default, 300 s) or more")
	}
	if t.KeepAlive < -1 {
		return fieldErr("keepalive", "must be -1 (off), 0 (the default, 30 s) or more seconds")
	}
	if t.CallerID != "" {
		if err := checkDigits(t.CallerID); err != nil {
			return fieldErr("caller_id", "%v", err)
		}
	}
	err := sipTrunk(t).Validate()
	var te *sip.TrunkError
	if errors.As(err, &te) {
		return fieldErr(te.Field, "%s", te.Problem)
	}
	return err
}

// checkDigits accepts a phone number: digits with an optional leading +.
func checkDigits(n string) error {
	d := strings.TrimPrefix(n, "+")
	if d == "" || len(d) > 20 || strings.Trim(d, "0123456789") != "" {
		return fmt.Errorf("%q is not a phone number (digits, optionally after +)", n)
	}
	return nil
}

// view is what the API shows of a stored trunk: no password, with status.
func (t trunkAPI) view(tr webui.Trunk) webui.Trunk {
	tr.PasswordSet, tr.Password = tr.Password != "", ""
	for _, st := range t.a.sip.TrunkStatuses() {
		if st.Name == tr.Name {
			ws := webui.TrunkStatus{Up: st.Up, Registered: st.Registered, Address: st.Address, LastError: st.LastError, Since: st.Since, Calls: st.Calls}
			if !st.Until.IsZero() {
				u := st.Until
				ws.Until = &u
			}
			tr.Status = &ws
		}
	}
	return tr
}

func (t trunkAPI) ListTrunks(ctx context.Context) ([]webui.Trunk, error) {
	list, err := t.a.trunks.List()
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i] = t.view(list[i])
	}
	return list, nil
}

func (t trunkAPI) GetTrunk(ctx context.Context, name string) (webui.Trunk, error) {
	tr, err := t.a.trunks.Get(name)
	if errors.Is(err, storage.ErrNotFound) {
		return webui.Trunk{}, fmt.Errorf("%w: no trunk %q", webui.ErrNotFound, name)
	}
	if err != nil {
		return webui.Trunk{}, err
	}
	return t.view(tr), nil
}

func (t trunkAPI) CreateTrunk(ctx context.Context, in webui.Trunk) (webui.Trunk, error) {
	in.Status, in.PasswordSet = nil, false
	if err := checkTrunk(in); err != nil {
		return webui.Trunk{}, err
	}
	if err := t.a.trunks.Create(in.Name, in); errors.Is(err, storage.ErrExists) {
		return webui.Trunk{}, fmt.Errorf("%w: trunk %q exists", webui.ErrConflict, in.Name)
	} else if err != nil {
		return webui.Trunk{}, err
	}
	t.a.trunksChanged()
	t.a.auditChange(ctx, "trunk.create", in.Name, in.Host)
	return t.view(in), nil
}

func (t trunkAPI) UpdateTrunk(ctx context.Context, name string, in webui.Trunk) (webui.Trunk, error) {
	in.Status, in.PasswordSet = nil, false
	in.Name = name
	var out webui.Trunk
	err := t.a.trunks.Update(name, func(v *webui.Trunk) error {
		if in.Password == "" {
			in.Password = v.Password // write-only: absent means unchanged
		}
		if err := checkTrunk(in); err != nil {
			return err
		}
		*v, out = in, in
		return nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		return webui.Trunk{}, fmt.Errorf("%w: no trunk %q", webui.ErrNotFound, name)
	}
	if err != nil {
		return webui.Trunk{}, err
	}
	t.a.trunksChanged()
	t.a.auditChange(ctx, "trunk.update", name, in.Host)
	return t.view(out), nil
}

func (t trunkAPI) DeleteTrunk(ctx context.Context, name string) error {
	if _, err := t.a.trunks.Get(name); errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: no trunk %q", webui.ErrNotFound, name)
	}
	if users := t.a.routesUsingTrunk(name); len(users) > 0 {
		return fieldErr("name", "trunk %q is used by %s; change those first", name, strings.Join(users, ", "))
	}
	if err := t.a.trunks.Delete(name); err != nil {
		return err
	}
	t.a.trunksChanged()
	t.a.auditChange(ctx, "trunk.delete", name, "")
	return nil
}

// trunkEvent logs a trunk going up or down in the audit log, where the
// panel shows it.
func (a *Appliance) trunkEvent(st sip.TrunkStatus) {
	state := "down"
	if st.Up {
		state = "up"
	}
	detail := state
	if st.Registered {
		detail += ", registered"
	}
	if st.LastError != "" {
		detail += ": " + st.LastError
	}
	a.recordAudit(webui.AuditRecord{Actor: "system", Action: "trunk." + state, Object: st.Name, Detail: detail})
}

// routesUsingTrunk names the outbound routes that try trunk name.
func (a *Appliance) routesUsingTrunk(name string) []string {
	return a.routes.usingTrunk(name)
}
