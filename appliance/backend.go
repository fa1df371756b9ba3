package appliance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"deskline/media/rtcp"
	"deskline/storage"
	"deskline/webui"
)

// backend is the web panel's view of the box (webui.Backend).
type backend struct{ a *Appliance }

var _ webui.Backend = backend{}

// webErr maps store and validation errors onto the panel's kinds.
func webErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errInvalid):
		return fmt.Errorf("%w: %s", webui.ErrInvalid, strings.TrimPrefix(err.Error(), errInvalid.Error()+": "))
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("%w: %v", webui.ErrNotFound, err)
	case errors.Is(err, storage.ErrExists):
		return fmt.Errorf("%w: %v", webui.ErrConflict, err)
	}
	return err
}

func (b backend) view(e extension) webui.Extension {
	_, reg := b.a.sip.RegistrationOf(e.Number)
	return webui.Extension{Number: e.Number, Name: e.Name, SRTP: srtpName(e.SRTP), Supervisor: e.Supervisor, Voicemail: !e.NoVoicemail, Registered: reg,
		Class: string(extClass(e)), CallerID: e.CallerID}
}

func (b backend) ListExtensions(ctx context.Context) ([]webui.Extension, error) {
	list, err := b.a.exts.List()
	if err != nil {
		return nil, err
	}
	out := make([]webui.Extension, 0, len(list))
	for _, e := range list {
		out = append(out, b.view(e))
	}
	return out, nil
}

func (b backend) GetExtension(ctx context.Context, number string) (webui.Extension, error) {
	e, err := b.a.exts.Get(number)
	if err != nil {
		return webui.Extension{}, webErr(err)
	}
	return b.view(e), nil
}

func (b backend) CreateExtension(ctx context.Context, in webui.ExtensionInput) (webui.Extension, error) {
	class, callerID, err := checkOutside(in, extension{})
	if err != nil {
		return webui.Extension{}, webErr(err)
	}
	e, err := b.a.createExtension(extension{Number: in.Number, Name: in.Name, SRTP: in.SRTP, Supervisor: in.Supervisor,
		NoVoicemail: in.Voicemail != nil && !*in.Voicemail, Class: class, CallerID: callerID}, in.Password)
	if err != nil {
		return webui.Extension{}, webErr(err)
	}
	b.a.auditChange(ctx, "extension-created", "extension "+e.Number, "name "+strconv.Quote(e.Name))
	return b.view(e), nil
}

func (b backend) UpdateExtension(ctx context.Context, number string, in webui.ExtensionInput) (webui.Extension, error) {
	if in.Number != "" && in.Number != number {
		return webui.Extension{}, webErr(invalidf("number: cannot be changed (delete and create instead)"))
	}
	if err := checkName(in.Name); err != nil {
		return webui.Extension{}, webErr(err)
	}
	srtp, err := checkSRTP(in.SRTP)
	if err != nil {
		return webui.Extension{}, webErr(err)
	}
	if in.Password != "" {
		if err := checkSIPPassword(number, in.Password); err != nil {
			return webui.Extension{}, webErr(err)
		}
	}
	var out extension
	err = b.a.exts.Update(number, func(e *extension) error {
		class, callerID, err := checkOutside(in, *e)
		if err != nil {
			return err
		}
		e.Class, e.CallerID = class, callerID
		e.Name = in.Name
		e.SRTP = srtp
		e.Supervisor = in.Supervisor
		if in.Voicemail != nil {
			e.NoVoicemail = !*in.Voicemail
		}
		if in.Password != "" {
			if e.ProvSecret != "" {
				// A provisioned phone's file carries the password.
				if len(in.Password) > maxProvSecret {
					return invalidf("password: must be at most %d characters while a phone is provisioned for the extension", maxProvSecret)
				}
				e.ProvSecret = in.Password
			}
			e.HA1 = ha1s(number, in.Password)
		}
		e.Updated = b.a.now()
		out = *e
		return nil
	})
	if err != nil {
		return webui.Extension{}, webErr(err)
	}
	b.a.log.Info("extension updated", "number", number, "password_changed", in.Password != "")
	detail := fmt.Sprintf("name %q; srtp %s; supervisor %v; voicemail %v; class %s", out.Name, srtpName(out.SRTP), out.Supervisor, !out.NoVoicemail, extClass(out))
	if in.Password != "" {
		detail += "; password changed"
	}
	b.a.auditChange(ctx, "extension-updated", "extension "+number, detail)
	return b.view(out), nil
}

func (b backend) DeleteExtension(ctx context.Context, number string) error {
	if err := b.a.exts.Delete(number); err != nil {
		return webErr(err)
	}
	b.a.sip.Unregister(number)
	b.a.log.Info("extension deleted", "number", number)
	b.a.auditChange(ctx, "extension-deleted", "extension "+number, "")
	b.a.unassignPhonesOf(ctx, number)
	return nil
}

func (b backend) Registrations(ctx context.Context) ([]webui.Registration, error) {
	var out []webui.Registration
	for _, r := range b.a.sip.Registrations() {
		out = append(out, webui.Registration{
			Extension: r.AOR, Contact: r.Contact, Source: r.Source,
			Transport: r.Transport, UserAgent: r.UserAgent, Expires: r.Expires,
		})
	}
	return out, nil
}

func (b backend) Calls(ctx context.Context) ([]webui.Call, error) {
	var out []webui.Call
	for _, c := range b.a.sip.Calls() {
		wc := webui.Call{ID: c.ID, Caller: c.Caller, Callee: c.Callee, State: c.State, Start: c.Start}
		if !c.Answer.IsZero() {
			t := c.Answer
			wc.Answer = &t
		}
		for _, l := range c.Legs {
			cl := webui.CallLeg{Side: l.Side, Extension: l.Extension, Codec: l.Codec, SRTP: l.SRTP,
				PacketsIn: l.Stats.PacketsIn, PacketsOut: l.Stats.PacketsOut, Received: callQuality(l.Quality.Received)}
			if l.Stats.Learned.IsValid() {
				cl.Remote = l.Stats.Learned.String()
			}
			if l.Quality.PeerReports {
				q := callQuality(l.Quality.Sent)
				cl.Sent = &q
			}
			wc.Legs = append(wc.Legs, cl)
		}
		out = append(out, wc)
	}
	return out, nil
}

func callQuality(q rtcp.Quality) webui.CallQuality {
	r := func(v float64) float64 { return math.Round(v*100) / 100 }
	return webui.CallQuality{LossPct: r(q.LossPct), JitterMs: r(q.JitterMs), RTTMs: r(q.RTTMs), MOS: r(q.MOS)}
}

// Backup writes the archive to a temporary file in the data directory
// first, so that the store's read transaction does not last as long as a
// slow download; the file is removed when the caller closes it.
func (b backend) Backup(ctx context.Context) (io.ReadCloser, string, error) {
	f, err := os.CreateTemp(b.a.cfg.DataDir, ".backup-*.tar.gz")
	if err != nil {
		return nil, "", err
	}
	if err := b.a.db.Backup(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, "", err
	}
	name := "deskline-backup-" + b.a.now().UTC().Format("20060102-150405") + ".tar.gz"
	st, _ := f.Stat()
	user, source := webui.ActorFrom(ctx)
	return &sentBackup{f: f, size: st.Size(), done: func(sent int64, whole bool) {
		detail := fmt.Sprintf("%s, %d bytes", name, sent)
		if !whole {
			detail += " (cut short)"
		}
		b.a.recordAudit(webui.AuditRecord{Actor: user, Source: source, Action: "backup-downloaded", Detail: detail})
	}}, name, nil
}

// sentBackup is a staged backup being sent: closing it removes the file and
// records in the audit log how much of it went out. It deliberately offers
// only Read and Close (no WriteTo), so every byte sent passes through Read.
type sentBackup struct {
	f          *os.File
	size, sent int64
	done       func(sent int64, whole bool)
}

func (s *sentBackup) Read(p []byte) (int, error) {
	n, err := s.f.Read(p)
	s.sent += int64(n)
	return n, err
}

func (s *sentBackup) Close() error {
	err := s.f.Close()
	os.Remove(s.f.Name())
	s.done(s.sent, s.sent == s.size)
	return err
}

func (b backend) Audit(ctx context.Context, limit int) ([]webui.AuditRecord, error) {
	recs, err := b.a.auditLog.Last(limit)
	if err != nil {
		return nil, err
	}
	out := make([]webui.AuditRecord, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.Value)
	}
	return out, nil
}

func (b backend) Bans(ctx context.Context) ([]webui.Ban, error) {
	var out []webui.Ban
	for _, x := range b.a.sip.Bans() {
		out = append(out, webui.Ban{Addr: x.Addr.String(), Since: x.Since, Until: x.Until, Reason: x.Reason, Offences: x.Offences})
	}
	return out, nil
}

func (b backend) LiftBan(ctx context.Context, addr string) error {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return fmt.Errorf("%w: addr: %q is not an IP address", webui.ErrInvalid, addr)
	}
	if !b.a.sip.Unban(a) {
		return fmt.Errorf("%w: no ban on %s", webui.ErrNotFound, a)
	}
	b.a.auditChange(ctx, "ban-lifted", a.String(), "")
	return nil
}

func (b backend) CDRs(ctx context.Context, q webui.CDRQuery) ([]webui.CDR, error) {
	limit := q.Limit
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	var recs []storage.Record[cdr]
	var err error
	if q.From.IsZero() && q.To.IsZero() {
		recs, err = b.a.cdrs.Last(limit)
	} else {
		to := q.To
		if to.IsZero() {
			to = time.Now().Add(24 * time.Hour)
		}
		err = b.a.cdrs.Range(q.From, to, func(r storage.Record[cdr]) bool {
			recs = append(recs, r)
			return len(recs) < limit
		})
	}
	if err != nil {
		return nil, err
	}
	out := make([]webui.CDR, 0, len(recs))
	for _, r := range recs {
		c := r.Value
		wc := webui.CDR{ID: c.ID, Caller: c.Caller, Callee: c.Callee, Dialled: c.Dialled, Start: c.Start, End: c.End,
			Duration: c.duration().Seconds(), Disposition: c.Disposition, Cause: c.Cause, HangupBy: c.HangupBy, Trunk: c.Trunk}
		if !c.Answer.IsZero() {
			t := c.Answer
			wc.Answer = &t
		}
		out = append(out, wc)
	}
	return out, nil
}

func (b backend) Status(ctx context.Context) (webui.Status, error) {
	n, err := b.a.exts.Len()
	if err != nil {
		return webui.Status{}, err
	}
	return webui.Status{
		Version: Version, Uptime: time.Since(b.a.started),
		Extensions: n, Registrations: len(b.a.sip.Registrations()), ActiveCalls: len(b.a.sip.Calls()),
		SIPAddr: b.a.sip.Addr().String(), HTTPAddr: b.a.httpAddr,
		Runtime: b.a.runtimeStatus(),
	}, nil
}

// runtimeStatus reads the daemon's resource use without stopping it or
// forcing a collection: the heap figure is what was live at the last one.
func (a *Appliance) runtimeStatus() *webui.RuntimeStatus {
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"}}
	metrics.Read(m)
	rs := &webui.RuntimeStatus{Goroutines: runtime.NumGoroutine(), OpenFiles: -1}
	if m[0].Value.Kind() == metrics.KindUint64 {
		rs.HeapBytes = m[0].Value.Uint64()
	}
	if m[1].Value.Kind() == metrics.KindUint64 {
		rs.SysBytes = m[1].Value.Uint64()
	}
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		rs.OpenFiles = len(ents)
	}
	if fi, err := os.Stat(filepath.Join(a.cfg.DataDir, "deskline.db")); err == nil {
		rs.DataBytes = fi.Size()
	}
	return rs
}

// userStore keeps the panel's users in the store (webui.UserStore).
type userStore struct {
	users *storage.Collection[webui.User]
}

func (u userStore) GetUser(ctx context.Context, name string) (webui.User, error) {
	usr, err := u.users.Get(name)
	return usr, webErr(err)
}

func (u userStore) CreateUser(ctx context.Context, usr webui.User) error {
	return webErr(u.users.Create(usr.Name, usr))
}

func (u userStore) HasAdmin(ctx context.Context) (bool, error) {
	list, err := u.users.List()
	if err != nil {
		return false, err
	}
	for _, usr := range list {
		if usr.Role == "admin" {
			return true, nil
		}
	}
	return false, nil
}
