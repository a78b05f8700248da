# TTM backup to real swap (issue 16 item 4), before 29-drop.sh counts the
# OOM kills of the whole boot: the built-in KUnit suite
# ttm_bo_shrink_swap ran at boot, before 10-zram.sh turned swap on (its
# case then checks the refusals without swap); run it again now, with zram
# swap and no stub, through KUnit's debugfs.  Its results go to the console
# prefixed "ttmswap boot: " and "ttmswap swap: ".
d=/sys/kernel/debug/kunit/ttm_bo_shrink_swap
if [ ! -d $d ]; then
	echo "ttmswap error: no $d (the kernel lacks CONFIG_KUNIT_DEBUGFS or the suite)"
	exit 1
fi
sed 's/^/ttmswap boot: /' $d/results
echo "ttmswap swap_kb $(awk '/SwapTotal/ {print $2}' /proc/meminfo) free_kb $(awk '/SwapFree/ {print $2}' /proc/meminfo)"
echo 1 >$d/run
sed 's/^/ttmswap swap: /' $d/results
