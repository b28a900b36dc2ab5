#pragma once
// Taking the GIL back safely while the interpreter shuts down. A daemon thread that takes
// the GIL during finalization is ended by CPython 3.11-3.13 with pthread_exit, a forced
// unwind; through pybind11's guards (whose destructors are noexcept) or through a second
// take on the way out, that unwind called std::terminate and the exiting program aborted
// (exit code 134) whenever daemon threads were simulating. So during finalization a thread
// other than the main one (which finalizes, running __del__ methods that may simulate)
// parks instead of taking the GIL, as CPython 3.14 itself does: it never runs Python again
// and the process exits around it.
#include <pybind11/pybind11.h>

#include <unistd.h>

namespace archgym::python {

// threading.main_thread()'s id, set when the module is imported (module.cpp).
inline unsigned long main_thread_id = 0;

// Whether this thread must not take the GIL: the interpreter is finalizing, on another thread.
inline bool must_park() {
#if PY_VERSION_HEX >= 0x030D0000
  const bool finalizing = Py_IsFinalizing() != 0;
#else
  const bool finalizing = _Py_IsFinalizing() != 0;
#endif
  return finalizing && PyThread_get_thread_ident() != main_thread_id;
}

[[noreturn]] inline void park_for_shutdown() {
  for (;;) pause();
}

// Lets other Python threads run while C++ works (a simulation, a search), as
// py::gil_scoped_release does. (If finalization starts between the check and the take,
// CPython's forced unwind may leave through here: the destructor lets it pass.)
class ReleaseGil {
 public:
  ReleaseGil() : state_(PyEval_SaveThread()) {}
  ~ReleaseGil() noexcept(false) {
    if (must_park()) park_for_shutdown();
    PyEval_RestoreThread(state_);
  }
  ReleaseGil(const ReleaseGil&) = delete;
  ReleaseGil& operator=(const ReleaseGil&) = delete;

 private:
  PyThreadState* state_;
};

// py::gil_scoped_acquire for C++ calling back into Python (a signal check, a constraint
// written in Python), from any thread.
struct ParkIfFinalizing {
  ParkIfFinalizing() {
    if (must_park()) park_for_shutdown();
  }
};
class AcquireGil : ParkIfFinalizing {  // the base runs first: before the take
  pybind11::gil_scoped_acquire gil_;
};

}  // namespace archgym::python
