# Swap on zram, as on the phones and laptops that use the system heap.
echo 256M >/sys/block/zram0/disksize || exit 1
mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 || exit 1
echo "zram swap_kb $(awk '/SwapTotal/ {print $2}' /proc/meminfo)"
