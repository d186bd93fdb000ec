/* Helper threads of the engine: short-lived, joined before the call that started them returns. */
#include <signal.h>

#include "internal.h"

int og__thread_start(pthread_t *t, void *(*fn)(void *), void *arg) {
  sigset_t all, old; /* signals stay with the application's threads, not ours */
  sigfillset(&all);
  if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0) return -1;
  int rc = pthread_create(t, NULL, fn, arg);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc == 0 ? 0 : -1;
}
