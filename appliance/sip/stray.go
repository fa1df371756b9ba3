package sip

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// strayWindow is how long a callee may go on retransmitting a 200 OK for an
// INVITE of ours (64*T1).
const strayWindow = 32 * time.Second

// strays deals with 2xx answers to our INVITEs that arrive when no
// transaction waits for them any more: typically a callee that picked up
// just as we CANCELled, whose phone then answers our CANCEL 481. RFC 3261
// says such an answer is acknowledged and the call hung up with a BYE;
// otherwise the callee's phone shows a silent connected call for half a
// minute.
type strays struct {
	s  *Server
	mu sync.Mutex
	// ours maps the Call-IDs of our recent INVITEs to when we forget them;
	// hungUp marks the ones already sent a BYE.
	ours   map[string]time.Time
	hungUp map[string]bool
}

func newStrays(s *Server) *strays {
	return &strays{s: s, ours: map[string]time.Time{}, hungUp: map[string]bool{}}
}

// sent records an INVITE of ours.
func (st *strays) sent(callID string) {
	now := st.s.o.Now()
	st.mu.Lock()
	defer st.mu.Unlock()
	for id, until := range st.ours {
		if now.After(until) {
			delete(st.ours, id)
			delete(st.hungUp, id)
		}
	}
	st.ours[callID] = now.Add(strayWindow)
}

// done marks an INVITE's call as already hung up (no BYE needed).
func (st *strays) done(callID string) {
	st.mu.Lock()
	st.hungUp[callID] = true
	st.mu.Unlock()
}

// handle is sipgo's handler for responses no transaction matched.
func (st *strays) handle(res *sip.Response) {
	cseq, callID := res.CSeq(), res.CallID()
	if cseq == nil || callID == nil || cseq.MethodName != sip.INVITE || !res.IsSuccess() || res.Contact() == nil {
		return
	}
	id := callID.Value()
	st.mu.Lock()
	_, ours := st.ours[id]
	bye := ours && !st.hungUp[id]
	if bye {
		st.hungUp[id] = true
	}
	st.mu.Unlock()
	if !ours {
		return
	}
	st.s.log.Info("acknowledging and hanging up a late answer", "call_id", id, "from", res.Source())
	st.s.ackStray(res)
	if bye {
		go st.s.byeStray(res)
	}
}

// strayRequest builds an in-dialog request answering a stray 2xx: to its
// Contact, sent where the answer came from.
func (s *Server) strayRequest(res *sip.Response, method sip.RequestMethod, seq uint32) *sip.Request {
	req := sip.NewRequest(method, res.Contact().Address)
	req.SetDestination(res.Source())
	req.SetTransport(res.Transport())
	src := sourceOf(res)
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: strings.ToUpper(res.Transport()),
		Host: s.localIP(src.Addr()).String(), Port: int(s.addr.Port()), Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranchN(16))
	req.AppendHeader(via)
	req.AppendHeader(sip.HeaderClone(res.From()))
	req.AppendHeader(sip.HeaderClone(res.To()))
	req.AppendHeader(sip.HeaderClone(res.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.SetBody(nil)
	return req
}

func (s *Server) ackStray(res *sip.Response) {
	if err := s.client.WriteRequest(s.strayRequest(res, sip.ACK, res.CSeq().SeqNo)); err != nil {
		s.log.Debug("ack for a late answer not sent", "err", err)
	}
}

func (s *Server) byeStray(res *sip.Response) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	bye := s.strayRequest(res, sip.BYE, res.CSeq().SeqNo+1)
	if _, err := s.client.Do(ctx, bye, func(*sipgo.Client, *sip.Request) error { return nil }); err != nil {
		s.log.Debug("bye for a late answer not answered", "err", err)
	}
}
