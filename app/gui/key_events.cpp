#include "app/gui/key_events.hpp"

#include <algorithm>

namespace convscope::gui {

namespace {
constexpr int kRelease = 0, kPress = 1;  // GLFW_RELEASE, GLFW_PRESS (GLFW_REPEAT changes no state)
}

std::vector<KeyEvent> KeyEventQueue::take_frame() {
    std::vector<KeyEvent> frame;
    std::vector<int> changed;  // keys pressed or released in this frame's events
    bool pressed = false;      // some key went down in this frame's events
    while (!queue_.empty()) {
        const KeyEvent& e = queue_.front();
        const bool changes_state = e.kind == KeyEvent::Kind::key && (e.action == kPress || e.action == kRelease);
        if (changes_state) {
            // A second change of one key in a frame would undo the first before ImGui looks: it waits, and so
            // does everything after it (order is kept).
            if (std::find(changed.begin(), changed.end(), e.key) != changed.end()) break;
            // A release after a press waits too, whichever key it is: a chord whose modifier comes up first
            // (xdotool's Ctrl+= arrives as Ctrl down, = down, Ctrl up, = up) is seen whole for one frame.
            if (e.action == kRelease && pressed) break;
            changed.push_back(e.key);
            pressed |= e.action == kPress;
        }
        frame.push_back(e);
        queue_.pop_front();
    }
    return frame;
}

}  // namespace convscope::gui
