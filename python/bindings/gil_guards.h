#pragma once
// Taking the GIL back safely while the interpreter shuts down. A daemon thread that takes
// the GIL during finalization is ended by CPython 3.11-3.13 with pthread_exit, a forced
// unwind; through pybind11's guards (whose destructors are noexcept) or through a second
// take on the way out, that unwind called std::terminate and the exiting program aborted
// (exit code 134) whenever daemon threads were simulating. So during finalization a thread
// that would take the GIL parks instead, as CPython 3.14 itself does: it never runs Python
// again and the process exits around it.
#include <pybind11/pybind11.h>

#include <unistd.h>

namespace archgym::python {

inline bool interpreter_finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing() != 0;
#else
  return _Py_IsFinalizing() != 0;
#endif
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
    if (interpreter_finalizing()) park_for_shutdown();
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
    if (interpreter_finalizing()) park_for_shutdown();
  }
};
class AcquireGil : ParkIfFinalizing {  // the base runs first: before the take
  pybind11::gil_scoped_acquire gil_;
};

}  // namespace archgym::python
