#pragma once
// Running the program without a person at the mouse: what the command-line options for tests, documentation
// pictures and measurements do inside the main loop.
//
//   AutomationOptions     --screenshot, --layout-report, --export, --frames, --timeout, --scripted-change,
//                         --frame-stats
//   Automation            their state across frames
//   before_panels()       a scripted parameter change, once the previous one is on screen
//   after_panels()        notes when a network step's maps reach the screen (frame statistics)
//   after_render()        starts the --export once results are complete; saves the --screenshot (and the
//                         --layout-report of that frame); says when the run is finished (and with which exit code)
//   after_swap()          frame times
//   hidden_run_finished() the same end condition while nothing is drawn (--hidden)
//   after_loop()          at exit: the --frame-stats report, and the --layout-report of an interactive run's
//                         last frame
//   print_frame_stats()   the --frame-stats report (frame times, latencies, every network run's time)
//
// Scripted changes (a developer aid for measuring): seed, filters, kernel (the playground), step (the next
// network layer), scale (UI scale and theme), image (another bundled picture: the whole network recomputes on
// buffers it already owns, as when a teacher opens the next picture).

#include <string>

#include "app/gui/app_state.hpp"

namespace convscope::gui {

// F12 (File > Save a screenshot): the window as it is now, menus and dialogs included, as
// <export folder>/convscope-<date>-<time>.png. For handouts, and for tests and docs that drive the program
// with xdotool and need to see a state no flag can reach.
void save_window_screenshot(AppState& app, int fb_width, int fb_height);

struct AutomationOptions {
    std::string screenshot;       // save the window here once results are complete, then exit
    // Write every window's and widget's rectangle, and whether its text was cut, here (layout_report.hpp):
    // with the screenshot, or else of the last frame (an interactive run driven by a test).
    std::string layout_report;
    std::string export_kind;      // export as the Export window does once results are complete, then exit
    int frames = 0;               // exit after this many frames (0: no limit)
    double timeout = 300.0;       // seconds to wait for complete results before giving up
    std::string scripted_change;  // see above; "" for none
    bool frame_stats = false;
    // --hidden: there is nothing to look at, so the run ends once results are complete (or at the timeout),
    // like a screenshot run; with --frame-stats it prints what the run measured.
    bool hidden = false;
    bool active() const {
        return !screenshot.empty() || !export_kind.empty() || frames > 0 || !scripted_change.empty() || hidden;
    }
};

struct Automation {
    AutomationOptions options;
    double start_time = 0.0;
    int complete_frames = 0;  // consecutive frames with complete results
    int scripted_steps = 0;
    int step_frame = -1;      // frame of the last node selection change, until its maps are shown
    enum class Export { none, pending, running, done } export_state = Export::none;
    bool export_failed = false;
    double last_frame_start = 0.0;
    double frame_start = 0.0;
    bool worker_busy = false;

    // True while a scripted change still has steps to make.
    bool scripting() const;
    // True when the next step (a scripted change, counting complete frames before a screenshot or an export,
    // giving up after the timeout) needs a frame although nothing on screen changed.
    bool frame_due(const AppState& app) const;
};

void start_automation(Automation& a, AutomationOptions options, AppState& app);
void before_panels(Automation& a, AppState& app);
void after_panels(Automation& a, AppState& app);
// Returns true when the program should end; exit_code is set to 1 when something went wrong.
bool after_render(Automation& a, AppState& app, int fb_width, int fb_height, int& exit_code);
void after_swap(Automation& a, AppState& app);
// The loop's step while nothing is drawn (--hidden): true when the results are complete and a scripted run
// has made all its changes. Nothing to save: a hidden window has no picture.
bool hidden_run_finished(Automation& a, AppState& app);
// At exit; exit_code is set to 1 when the layout report cannot be written.
void after_loop(const Automation& a, const AppState& app, int& exit_code);
void print_frame_stats(const AppState& app);

}  // namespace convscope::gui
