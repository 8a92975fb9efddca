package dpif

import (
	"testing"
)

func TestCheckPktLenText(t *testing.T) {
	acts := []Action{
		CheckPktLen(&CheckPktLenAction{PktLen: 1500,
			Greater:   []Action{{Type: ActTrunc, Arg: 200}, Output(2)},
			LessEqual: nil}),
	}
	if got, want := ActionsText(acts, nil), "check_pkt_len(size=1500,gt(trunc(200),2),le(drop))"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestExecuteCheckPktLen sends a short and a long frame through
// check_pkt_len, as the last action (the packet itself takes a branch)
// and followed by another output (a copy takes it).
func TestExecuteCheckPktLen(t *testing.T) {
	short := ckTCP("10.0.0.1", "10.0.0.2", 1000, 80, 0x018, 1, 1, []byte("hi"))
	long := ckTCP("10.0.0.1", "10.0.0.2", 1000, 80, 0x018, 1, 1, make([]byte, 300))
	cpl := CheckPktLen(&CheckPktLenAction{PktLen: 100,
		Greater:   []Action{{Type: ActTrunc, Arg: 64}, Output(2)},
		LessEqual: []Action{Output(3)}})
	for _, tt := range []struct {
		name            string
		frame           []byte
		acts            []Action
		want2, want3    int // frames sent
		len2            int // length of port 2's frame
		wantAfterOutput bool
	}{
		{"short-last", short, []Action{cpl}, 0, 1, 0, false},
		{"long-last", long, []Action{cpl}, 1, 0, 64, false},
		{"long-then-output", long, []Action{cpl, Output(3)}, 1, 1, 64, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := execOne(t, 3, tt.frame, tt.acts)
			if len(out[2]) != tt.want2 || len(out[3]) != tt.want3 {
				t.Fatalf("ports 2 and 3 sent %d and %d frames, want %d and %d", len(out[2]), len(out[3]), tt.want2, tt.want3)
			}
			if tt.want2 > 0 && len(out[2][0]) != tt.len2 {
				t.Errorf("port 2 frame is %d bytes, want %d", len(out[2][0]), tt.len2)
			}
			if tt.wantAfterOutput && len(out[3][0]) != len(tt.frame) {
				t.Errorf("output after check_pkt_len sent %d bytes, want the whole %d", len(out[3][0]), len(tt.frame))
			}
		})
	}
}
