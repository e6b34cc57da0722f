// Happens-before annotations for ThreadSanitizer. Debian's Abseil is not
// built with TSan, so TSan cannot see absl::Mutex hand locks over; our
// mutex(9) tells it instead. No-ops in other builds.
#ifndef COMPAT_TSAN_H_
#define COMPAT_TSAN_H_

#if defined(__SANITIZE_THREAD__)
#define COMPAT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define COMPAT_TSAN 1
#endif
#endif

#ifdef COMPAT_TSAN
extern "C" void __tsan_acquire(void *addr);
extern "C" void __tsan_release(void *addr);
#define TSAN_ACQUIRE(addr) __tsan_acquire(addr)
#define TSAN_RELEASE(addr) __tsan_release(addr)
#else
#define TSAN_ACQUIRE(addr) ((void)0)
#define TSAN_RELEASE(addr) ((void)0)
#endif

#endif  // COMPAT_TSAN_H_
