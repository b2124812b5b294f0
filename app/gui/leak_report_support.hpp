#pragma once
// keep_libraries_loaded_for_leak_reports(): in AddressSanitizer builds, keeps every library loaded so far (the
// OpenGL driver) mapped until exit, so that LeakSanitizer can name the driver's own leaks (leak_report_support.cpp).
// Call it once the GL context exists. Does nothing in other builds.

namespace convscope::gui {

void keep_libraries_loaded_for_leak_reports();

}  // namespace convscope::gui
