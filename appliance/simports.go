package appliance

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"deskline/appliance/ports"
	"deskline/hw"
	"deskline/hw/line"
	"deskline/hw/sim"
	"deskline/media/dtmf"
	"deskline/storage"
	"deskline/webui"
)

// Simulated analog ports (-sim-ports): two FXS extensions and one FXO
// line on hw/sim, made legs of calls by an appliance/ports gateway, so that
// a newcomer can try analog features without hardware. Their telephones
// and the exchange are driven through /api/v1/sim.

const (
	simName  = "Analog (simulated)" // name of the extensions the simulation owns
	simTrunk = "sim-pstn"
	simDID   = "5550100"
)

var simExtensions = []string{"2001", "2002"}

type simPorts struct {
	clock  *sim.Clock
	gw     *ports.Gateway
	phones map[string]*sim.Phone    // "fxs1", "fxs2"
	lines  map[string]*sim.Exchange // "fxo1"
	names  []string
	stop   chan struct{}
	wg     sync.WaitGroup

	mu  sync.Mutex
	pws map[string]string // extension → its SIP password, this run only
}

// startSimPorts creates the simulated ports: the extensions (a fresh
// password each start, kept in memory) and the sim-pstn trunk pointing at
// the line. An extension of the same number not made by the simulation is
// left alone and its port skipped.
func (a *Appliance) startSimPorts() (*simPorts, error) {
	s := &simPorts{clock: sim.NewClock(time.Now()), phones: map[string]*sim.Phone{}, lines: map[string]*sim.Exchange{},
		stop: make(chan struct{}), pws: map[string]string{}}
	gw, err := ports.New(ports.Options{SIPAddr: a.SIPAddr(), Media: a.pool, Country: a.cfg.Country, Logger: a.log,
		Now: s.clock.Now, Credentials: s.credentials})
	if err != nil {
		return nil, fmt.Errorf("appliance: sim ports: %w", err)
	}
	s.gw = gw
	s.wg.Add(1)
	go s.run()
	for i, ext := range simExtensions {
		if err := a.simExtension(s, ext); err != nil {
			a.log.Warn("simulated port skipped", "extension", ext, "err", err)
			continue
		}
		name := fmt.Sprintf("fxs%d", i+1)
		port, ph, err := sim.NewFXS(s.clock, &sim.Opts{Name: name})
		if err == nil {
			err = gw.AddFXS(port, ext)
			if err != nil {
				port.Halt()
			}
		}
		if err != nil {
			s.close()
			return nil, fmt.Errorf("appliance: sim port %s: %w", name, err)
		}
		s.phones[name] = ph
		s.names = append(s.names, name)
	}
	port, x, err := sim.NewFXO(s.clock, &sim.Opts{Name: "fxo1"})
	var addr string
	if err == nil {
		if addr, err = gw.AddFXO(port, ports.LineOptions{Trunk: simTrunk, DID: simDID}); err != nil {
			port.Halt()
		}
	}
	if err == nil {
		err = a.simTrunk(addr)
	}
	if err != nil {
		s.close()
		return nil, fmt.Errorf("appliance: sim port fxo1: %w", err)
	}
	s.lines["fxo1"] = x
	s.names = append(s.names, "fxo1")
	a.log.Info("simulated analog ports", "fxs", simExtensions, "fxo_trunk", simTrunk, "did", simDID)
	return s, nil
}

// simExtension makes sure ext exists as the simulation's, with a new password.
func (a *Appliance) simExtension(s *simPorts, ext string) error {
	pw := randomCode(20)
	err := a.exts.Update(ext, func(e *extension) error {
		if e.Name != simName {
			return fmt.Errorf("extension %s exists and is not the simulation's", ext)
		}
		e.HA1, e.Updated = ha1s(ext, pw), a.now()
		return nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		_, err = a.createExtension(extension{Number: ext, Name: simName}, pw)
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.pws[ext] = pw
	s.mu.Unlock()
	return nil
}

// simTrunk points the sim-pstn trunk at the simulated line's address.
func (a *Appliance) simTrunk(addr string) error {
	t := webui.Trunk{Name: simTrunk, Host: addr, Sources: []string{addr}, KeepAlive: -1}
	if err := checkTrunk(t); err != nil {
		return err
	}
	if err := a.trunks.Put(simTrunk, t); err != nil {
		return err
	}
	return a.applyTrunks()
}

func (s *simPorts) credentials(ext string) (string, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pw, ok := s.pws[ext]
	return ext, pw, ok
}

// run moves the simulated clock with real time.
func (s *simPorts) run() {
	defer s.wg.Done()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.clock.AdvanceTo(now)
		}
	}
}

func (s *simPorts) close() {
	s.gw.Close()
	close(s.stop)
	s.wg.Wait()
}

// simPortView is one simulated port in GET /api/v1/sim.
type simPortView struct {
	Name     string        `json:"name"`
	OffHook  bool          `json:"off_hook,omitempty"`
	Ringing  bool          `json:"ringing,omitempty"`
	CallerID *hw.CallerID  `json:"caller_id,omitempty"`
	Seized   bool          `json:"seized,omitempty"`
	Gateway  *ports.Status `json:"gateway,omitempty"`
}

// handler serves /api/v1/sim and /api/v1/sim/{port}/{hook,dial,ring,reverse}.
func (s *simPorts) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/sim", func(w http.ResponseWriter, r *http.Request) {
		writeSimJSON(w, http.StatusOK, map[string]any{"ports": s.view()})
	})
	mux.HandleFunc("POST /api/v1/sim/{port}/{action}", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Off    *bool  `json:"off"`
			Digits string `json:"digits"`
			Number string `json:"number"`
			Name   string `json:"name"`
			Stop   bool   `json:"stop"`
		}
		if r.ContentLength != 0 {
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
				writeSimJSON(w, http.StatusBadRequest, map[string]string{"error": "body: " + err.Error()})
				return
			}
		}
		if err := s.act(r.PathValue("port"), r.PathValue("action"), in.Off, in.Digits, in.Number, in.Name, in.Stop); err != nil {
			code := http.StatusUnprocessableEntity
			if errors.Is(err, webui.ErrNotFound) {
				code = http.StatusNotFound
			}
			writeSimJSON(w, code, map[string]string{"error": err.Error()})
			return
		}
		writeSimJSON(w, http.StatusOK, map[string]any{"ports": s.view()})
	})
	return mux
}

func writeSimJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// act drives one simulated port.
func (s *simPorts) act(name, action string, off *bool, digits, number, cidName string, stop bool) error {
	if ph, ok := s.phones[name]; ok {
		switch action {
		case "hook":
			if off == nil {
				return fieldErr("off", "required: true lifts the handset, false hangs up")
			}
			if *off {
				ph.Lift()
			} else {
				ph.Hang()
			}
			return nil
		case "dial":
			audio, err := dtmfSamples(digits)
			if err != nil {
				return fieldErr("digits", "%v", err)
			}
			if !ph.OffHook() {
				return fieldErr("digits", "lift the handset first")
			}
			ph.Speak(audio)
			return nil
		}
	}
	if x, ok := s.lines[name]; ok {
		switch action {
		case "ring":
			if stop {
				x.StopRing()
				return nil
			}
			us, _ := line.Cadence("us")
			var cid *hw.CallerID
			if number != "" || cidName != "" {
				cid = &hw.CallerID{Number: number, Name: cidName, Time: s.clock.Now()}
			}
			return x.Ring(us, cid)
		case "reverse":
			x.ReversePolarity()
			return nil
		}
	}
	if _, ok := s.phones[name]; !ok {
		if _, ok := s.lines[name]; !ok {
			return fmt.Errorf("%w: no simulated port %q (have %s)", webui.ErrNotFound, name, strings.Join(s.names, ", "))
		}
	}
	return fmt.Errorf("%w: %s does not %s", webui.ErrNotFound, name, action)
}

// dtmfSamples renders digits as the tones a keypad sends.
func dtmfSamples(digits string) ([]int16, error) {
	if digits == "" || len(digits) > 32 {
		return nil, errors.New("want 1 to 32 keys")
	}
	g := dtmf.NewGenerator(nil)
	if err := g.Play(digits, 80*time.Millisecond, 80*time.Millisecond); err != nil {
		return nil, err
	}
	var out []int16
	var f [hw.FrameSamples]int16
	for !g.Done() {
		g.Read(f[:])
		out = append(out, f[:]...)
	}
	return out, nil
}

func (s *simPorts) view() []simPortView {
	st := s.gw.Status()
	out := make([]simPortView, 0, len(s.names))
	for i, name := range s.names {
		v := simPortView{Name: name}
		if i < len(st) {
			v.Gateway = &st[i]
		}
		if ph, ok := s.phones[name]; ok {
			v.OffHook, v.Ringing = ph.OffHook(), ph.Ringing()
			if c, ok := ph.CallerID(); ok {
				v.CallerID = &c
			}
		}
		if x, ok := s.lines[name]; ok {
			v.Seized = x.Seized()
		}
		out = append(out, v)
	}
	return out
}

// withSim serves /api/v1/sim, behind the API's authentication, when the
// simulated ports run, and everything else with web.
func (a *Appliance) withSim(web http.Handler) http.Handler {
	if a.sim == nil {
		return web
	}
	sim := a.web.APIAuth(a.sim.handler())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/sim" || strings.HasPrefix(r.URL.Path, "/api/v1/sim/") {
			sim.ServeHTTP(w, r)
			return
		}
		web.ServeHTTP(w, r)
	})
}
