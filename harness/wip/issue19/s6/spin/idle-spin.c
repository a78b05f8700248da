/* idle-spin: one SCHED_IDLE busy loop per argument CPU count, until killed */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sched_param sp = { 0 };
	volatile unsigned long n = 0;

	if (sched_setscheduler(0, SCHED_IDLE, &sp)) {
		perror("sched_setscheduler");
		return 1;
	}
	printf("idle-spin: pid %d SCHED_IDLE\n", getpid());
	fflush(stdout);
	for (;;)
		n++;
}
