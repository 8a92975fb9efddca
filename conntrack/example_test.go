package conntrack

import "fmt"

// A UDP exchange through ct(commit,zone=5,exec(set_field:5->ct_mark)), then
// dpctl/dump-conntrack as ovs-appctl would print it.
func ExampleTracker_Execute() {
	tr := New(Config{NoSweeper: true})
	defer tr.Close()

	req := udpPkt("10.1.1.1", "10.1.1.2", 48033, 9999, 4) // Ethernet + IPv4 + UDP
	tr.Execute(req, &Action{Commit: true, Zone: 5, SetMark: true, Mark: 5, MarkMask: 0xffffffff})
	fmt.Println("request:", req.MD.State, "mark", req.MD.Mark)

	rep := udpPkt("10.1.1.2", "10.1.1.1", 9999, 48033, 4)
	tr.Execute(rep, &Action{Zone: 5})
	fmt.Println("reply:", rep.MD.State)

	out, _ := tr.DumpConntrack([]string{"zone=5"})
	fmt.Print(out)
	// Output:
	// request: new|trk mark 5
	// reply: est|rpl|trk
	// udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),zone=5,mark=5
}

// An offload-style observer runs after the ALG hooks and is told about each
// connection's life; conntrack/show-hooks lists the chain.
func ExampleTracker_RegisterObserver() {
	tr := New(Config{NoSweeper: true})
	defer tr.Close()
	err := tr.RegisterObserver(Observer{
		Name: "offload-dummy", Priority: PriorityLow,
		Events: 1<<EventCommitted | 1<<EventEstablished | 1<<EventDeleted,
		Notify: func(ev Event) {
			k := ev.Conn.Key()
			fmt.Printf("%s %s:%d\n", ev.Kind, k.Addr(&k.Src), k.Src.Port)
		},
	})
	if err != nil {
		panic(err)
	}
	tr.Execute(udpPkt("10.1.1.1", "10.1.1.2", 1000, 53, 4), &Action{Commit: true})
	tr.Execute(udpPkt("10.1.1.2", "10.1.1.1", 53, 1000, 4), &Action{})
	_ = tr.Flush(nil, &FlushMatch{Proto: ProtoUDP})
	out, _ := tr.ShowHooks(nil)
	fmt.Print(out)
	// Output:
	// committed 10.1.1.1:1000
	// established 10.1.1.1:1000
	// deleted 10.1.1.1:1000
	// State update hooks (in call order):
	//   ftp: priority=100, helper=ftp
	//   tftp: priority=100, helper=tftp, on commit
	// Observers (in call order):
	//   offload-dummy: priority=150, events=committed,established,deleted
}
