// panic(9) (see <sys/systm.h>) and its handler (<sys/vmem_ext.h>).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <string>

#include <sys/systm.h>
#include <sys/vmem_ext.h>

namespace {
std::atomic<vmem_panic_handler_t> panic_handler{nullptr};
}  // namespace

vmem_panic_handler_t vmem_set_panic_handler(vmem_panic_handler_t handler) {
  return panic_handler.exchange(handler);
}

void vpanic_func(const char *func, const char *fmt, va_list ap) {
  char body[1024];
  vsnprintf(body, sizeof(body), fmt, ap);
  const char *text = body;
  size_t flen = strlen(func);
  if (strncmp(text, func, flen) == 0 && strncmp(text + flen, ": ", 2) == 0)
    text += flen + 2;
  std::string message = std::string(func) + ": " + text;
  while (!message.empty() && message.back() == '\n') message.pop_back();
  fprintf(stderr, "panic: %s\n", message.c_str());
  fflush(stderr);
  vmem_panic_handler_t handler = panic_handler.load();
  if (handler != nullptr) handler(message.c_str());
  abort();
}

void panic_func(const char *func, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vpanic_func(func, fmt, ap);
}
