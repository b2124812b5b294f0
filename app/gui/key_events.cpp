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
    bool control = false;      // a key that types nothing (Tab, Return, Ctrl ...) went down or up in this frame
    while (!queue_.empty()) {
        const KeyEvent& e = queue_.front();
        const bool changes_state = e.kind == KeyEvent::Kind::key && (e.action == kPress || e.action == kRelease);
        // A typing key's press is followed at once by its character (GLFW sends both from one key event).
        const bool types = e.kind == KeyEvent::Kind::key && e.action == kPress && queue_.size() > 1 &&
                           queue_[1].kind == KeyEvent::Kind::character;
        if (changes_state) {
            // A second change of one key in a frame would undo the first before ImGui looks: it waits, and so
            // does everything after it (order is kept).
            if (std::find(changed.begin(), changed.end(), e.key) != changed.end()) break;
            // A release after a press waits too, whichever key it is: a chord whose modifier comes up first
            // (xdotool's Ctrl+= arrives as Ctrl down, = down, Ctrl up, = up) is seen whole for one frame.
            if (e.action == kRelease && pressed) break;
            // Text waits for a frame with no control key: ImGui moves the keyboard focus (Tab) or ends an edit
            // (Return) a frame after the key, and characters in that frame went to no field: under load the
            // first digit typed after a Tab was lost.
            if (types && control) break;
            if (e.action == kPress && !types) control = true;
            if (e.action == kRelease && std::find(typing_keys_.begin(), typing_keys_.end(), e.key) == typing_keys_.end())
                control = true;
            if (e.action == kPress) {
                typing_keys_.erase(std::remove(typing_keys_.begin(), typing_keys_.end(), e.key), typing_keys_.end());
                if (types) typing_keys_.push_back(e.key);
            }
            changed.push_back(e.key);
            pressed |= e.action == kPress;
        } else if (e.kind == KeyEvent::Kind::character && control && (frame.empty() || frame.back().action != kPress ||
                                                                      frame.back().kind != KeyEvent::Kind::key)) {
            break;  // a character on its own (no press just before it, as from an input method), after a control key
        }
        frame.push_back(e);
        queue_.pop_front();
    }
    return frame;
}

}  // namespace convscope::gui
