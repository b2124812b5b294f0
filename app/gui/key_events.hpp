#pragma once
// Key and character events held back so that Dear ImGui 1.86 sees every key tap.
//
//   KeyEvent        one GLFW key callback (key, scancode, action, mods) or character callback (codepoint)
//   KeyEventQueue   push() from the GLFW callbacks; take_frame() before each NewFrame gives the events that
//                   frame may see; pending() says whether another frame is needed for the rest
//
// ImGui 1.86 reads the keys' state (io.KeysDown) once per frame. A key pressed and released between two frames
// (xdotool key, an on-screen or remote keyboard, a fast typist's Return) is down in neither frame and the tap is
// lost. ImGui 1.87 added an input queue that trickles such events over frames; this is the same idea for 1.86: a
// frame gets the events in arrival order up to, not including, the second change of any one key or a release
// that follows a press, and the rest wait for the next frame. So a tap's press (with the modifiers held with it)
// is seen for one frame and its release the frame after. Characters
// travel in the same queue, so that text typed before a Return is in the field before the Return is seen, and
// text typed after a key that types nothing (Tab, Return, Ctrl) waits for a frame without one: ImGui moves the
// keyboard to the next field a frame after a Tab, and characters that arrive with it reach no field.
// No GLFW or ImGui here: tests drive it directly.

#include <deque>
#include <vector>

namespace convscope::gui {

struct KeyEvent {
    enum class Kind { key, character };
    Kind kind = Kind::key;
    int key = 0, scancode = 0, action = 0, mods = 0;  // GLFW's values (action: 0 release, 1 press, 2 repeat)
    unsigned codepoint = 0;                           // Kind::character
};

class KeyEventQueue {
public:
    void push(const KeyEvent& e) { queue_.push_back(e); }
    // The events for the next frame, oldest first; the rest stay queued.
    std::vector<KeyEvent> take_frame();
    bool pending() const { return !queue_.empty(); }

private:
    std::deque<KeyEvent> queue_;
    std::vector<int> typing_keys_;  // keys whose last press typed a character: their release is not a control key's
};

}  // namespace convscope::gui
