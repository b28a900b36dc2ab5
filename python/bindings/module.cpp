// archgym._core: the C++ core seen from Python. Every env and agent comes through
// the registry (linked in via archgym_all), so adding one needs no binding code.
//
// Errors: std::invalid_argument (bad knob, option or name; the core's message lists what
// is allowed) becomes ValueError, std::out_of_range IndexError, and any other
// std::exception RuntimeError (pybind11's own mapping, kept as it was), always with the
// C++ message. The translator below only changes how that message is decoded.
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

#include "archgym_version.h"
#include "core/registry.h"
#include "python/bindings/bindings.h"
#include "python/bindings/gil_guards.h"

namespace {

namespace py = pybind11;

// Core messages quote input files (a trace line, a JSON key), which need not be UTF-8.
// Decoding with "backslashreplace" shows a stray byte as \xe9 and keeps the file:line
// text, where pybind11's strict decoding would raise UnicodeDecodeError instead.
void set_python_error(PyObject* type, const char* what) {
  std::string message;
  {
    py::error_scope keep;  // an error already pending becomes the cause, as in pybind11
    py::str text = py::reinterpret_steal<py::str>(
        PyUnicode_DecodeUTF8(what, static_cast<Py_ssize_t>(std::char_traits<char>::length(what)),
                             "backslashreplace"));
    message = text.cast<std::string>();
  }
  if (PyErr_Occurred()) py::raise_from(type, message.c_str());
  else py::set_error(type, message.c_str());
}

// pybind11's own mapping of the standard exceptions, unchanged.
PyObject* python_type(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e)) return PyExc_MemoryError;
  if (dynamic_cast<const std::out_of_range*>(&e)) return PyExc_IndexError;
  if (dynamic_cast<const std::overflow_error*>(&e)) return PyExc_OverflowError;
  if (dynamic_cast<const std::invalid_argument*>(&e) || dynamic_cast<const std::domain_error*>(&e) ||
      dynamic_cast<const std::length_error*>(&e) || dynamic_cast<const std::range_error*>(&e))
    return PyExc_ValueError;
  return PyExc_RuntimeError;
}

void translate(std::exception_ptr p) {
  try {
    std::rethrow_exception(p);
  } catch (const py::builtin_exception&) {
    throw;  // pybind11's own (TypeError, ValueError, cast errors): its translator sets them
  } catch (const py::error_already_set&) {
    throw;  // a Python exception in flight, e.g. the KeyboardInterrupt that stopped a run
  } catch (const std::exception& e) {
    set_python_error(python_type(e), e.what());
  }
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  namespace ap = archgym::python;
  // A component's registration refused while the module loaded (a name taken, a bad option
  // default): the import raises ImportError with the registry's message (pybind11 turns an
  // exception thrown here into one) rather than the process aborting in a static initialiser.
  archgym::check_registrations();
  m.doc() = "archgym C++ core: registry, design spaces, envs, agents, runner, store, proxy models.";
  m.attr("__version__") = archgym::kVersion;
  m.attr("git_commit") = archgym::kGitCommit;
  m.attr("build_config") = archgym::kBuildConfig;  // compiler, build type and flags
  py::register_exception_translator(translate);
  ap::main_thread_id = py::module_::import("threading").attr("main_thread")().attr("ident").cast<unsigned long>();
  ap::bind_space(m);
  ap::bind_objective(m);
  ap::bind_env(m);
  ap::bind_gym_view(m);
  ap::bind_agent(m);
  ap::bind_store(m);
  ap::bind_runner(m);
  ap::bind_external_run(m);
  ap::bind_proxy(m);
}
