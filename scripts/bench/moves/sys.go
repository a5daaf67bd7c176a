package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuTimes is the machine-wide CPU time from /proc/stat (Linux), in clock ticks.
type cpuTimes struct {
	ok                        bool
	busy, idle, iowait, steal int64
}

func readCPU() cpuTimes {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return cpuTimes{}
	}
	var t cpuTimes
	for i, s := range f[1:] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return cpuTimes{}
		}
		switch i {
		case 3:
			t.idle += v
		case 4:
			t.iowait += v
		case 7:
			t.steal += v
		case 8, 9: // guest time is already counted in user and nice
		default:
			t.busy += v
		}
	}
	t.ok = true
	return t
}

// share returns the busy, iowait and steal fractions of the machine between a and b.
func share(a, b cpuTimes) (busy, iowait, steal float64, ok bool) {
	if !a.ok || !b.ok {
		return 0, 0, 0, false
	}
	total := float64((b.busy - a.busy) + (b.idle - a.idle) + (b.iowait - a.iowait) + (b.steal - a.steal))
	if total <= 0 {
		return 0, 0, 0, false
	}
	return float64(b.busy-a.busy) / total, float64(b.iowait-a.iowait) / total, float64(b.steal-a.steal) / total, true
}

// clockTicks is USER_HZ, the unit of /proc times; 100 on every Linux platform Go supports.
const clockTicks = 100

// postmasterOf returns the pid of the postmaster of a local backend, or 0 when the server
// is not on this machine or /proc cannot be read.
func postmasterOf(backend int) int {
	st, ok := procStat(backend)
	if !ok || st.comm != "postgres" {
		return 0
	}
	if pst, ok := procStat(st.ppid); ok && (pst.comm == "postgres" || pst.comm == "postmaster") {
		return st.ppid
	}
	return 0
}

// serverCPU returns the CPU time used so far by a local PostgreSQL server: the postmaster
// with the children it has reaped (backends that ended), plus its live children.
func serverCPU(pm int) (time.Duration, bool) {
	pst, ok := procStat(pm)
	if pm == 0 || !ok {
		return 0, false
	}
	ticks := pst.utime + pst.stime + pst.cutime + pst.cstime
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if s, ok := procStat(pid); ok && s.ppid == pm {
			ticks += s.utime + s.stime
		}
	}
	return time.Duration(ticks) * time.Second / clockTicks, true
}

type stat struct {
	comm                         string
	ppid                         int
	utime, stime, cutime, cstime int64
}

func procStat(pid int) (stat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, false
	}
	s := string(b)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		return stat{}, false
	}
	f := strings.Fields(s[close+1:]) // f[0] is field 3 (state)
	if len(f) < 15 {
		return stat{}, false
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(f[i-3], 10, 64); return v }
	return stat{comm: s[open+1 : close], ppid: int(n(4)), utime: n(14), stime: n(15), cutime: n(16), cstime: n(17)}, true
}
