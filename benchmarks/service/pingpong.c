/* Cost of one message between two processes over a socketpair, the same core or two cores.

   gcc -O2 -o /tmp/pingpong benchmarks/service/pingpong.c
   /tmp/pingpong 20000 0 1 300    # N round trips, parent's core, child's core (-1: free), bytes

   Each round trip is two messages, each waking the other process; prints the wall time and
   the CPU (user + system, both processes) per round trip. On the shared 2-core VM a message
   that wakes a process on the other core cost ~4x one on the same core (BENCHMARKS.md,
   "Service: where the CPU outside the route computation goes"). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <string.h>
static void pin(int c){ if(c<0) return; cpu_set_t s; CPU_ZERO(&s); CPU_SET(c,&s); sched_setaffinity(0,sizeof s,&s);}
int main(int argc,char**argv){
  int n=atoi(argv[1]), ca=atoi(argv[2]), cb=atoi(argv[3]), size=atoi(argv[4]);
  int sv[2]; socketpair(AF_UNIX,SOCK_STREAM,0,sv);
  char *buf=calloc(1,1<<20);
  pid_t p=fork();
  if(p==0){ pin(cb); for(int i=0;i<n;i++){ int got=0; while(got<size){int r=read(sv[1],buf,size-got); if(r<=0) _exit(1); got+=r;} write(sv[1],buf,size);} _exit(0);}
  pin(ca);
  struct timespec t0,t1; clock_gettime(CLOCK_MONOTONIC,&t0);
  for(int i=0;i<n;i++){ write(sv[0],buf,size); int got=0; while(got<size){int r=read(sv[0],buf,size-got); got+=r;} }
  clock_gettime(CLOCK_MONOTONIC,&t1);
  int st; waitpid(p,&st,0);
  struct rusage a,b; getrusage(RUSAGE_SELF,&a); getrusage(RUSAGE_CHILDREN,&b);
  double cpu=a.ru_utime.tv_sec+a.ru_utime.tv_usec*1e-6+a.ru_stime.tv_sec+a.ru_stime.tv_usec*1e-6+b.ru_utime.tv_sec+b.ru_utime.tv_usec*1e-6+b.ru_stime.tv_sec+b.ru_stime.tv_usec*1e-6;
  printf("cpus %d,%d size %d: wall %.2f us/rt, cpu %.2f us/rt (parent %.2f)\n",ca,cb,size,((t1.tv_sec-t0.tv_sec)*1e9+(t1.tv_nsec-t0.tv_nsec))/1e3/n, cpu*1e6/n, (a.ru_utime.tv_sec+a.ru_stime.tv_sec+(a.ru_utime.tv_usec+a.ru_stime.tv_usec)*1e-6)*1e6/n);
}
