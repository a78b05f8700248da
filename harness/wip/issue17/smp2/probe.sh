# Item 9 probe (workload of smp2-probe.sh): after the in-kernel TTM bench
# ran at late_initcall, print what each CPU and each task spent since boot.
echo "probe-uptime $(cat /proc/uptime)"
grep '^cpu' /proc/stat | sed 's/^/probe-stat /'
grep '^ctxt\|^intr \|^processes' /proc/stat | cut -c1-60 | sed 's/^/probe-stat /'
sed 's/^/probe-irq /' /proc/interrupts
for f in /proc/[0-9]*/stat; do
	read -r l <"$f" 2>/dev/null || continue
	# pid (comm) state ppid ... utime(14) stime(15) ... processor(39)
	p=${l%% *}; c=${l#*(}; c=${c%%)*}; r=${l##*) }
	set -- $r
	echo "probe-task $p $c utime=${12} stime=${13} cpu=${37}"
done
sed 's/^/probe-schedstat /' /proc/schedstat 2>/dev/null | head -8
