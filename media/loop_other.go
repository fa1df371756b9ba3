//go:build !linux

package media

func (l *readLoop) run(r reader) {
	defer l.wg.Done()
	l.readEach(r)
}
