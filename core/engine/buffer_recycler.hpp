#pragma once
// Where the engine's output buffers go when the last holder lets go of them, so that a buffer is written again
// only after every reader, on any thread, is done with it.
//
//   publish(recycler, node, buffer)  the complete buffer as node's shared, read-only output; its deleter hands
//                                    the buffer back here (on whichever thread drops the last reference)
//   on_return(node, where)           what to do with node's published buffer when it comes back
//   take(node, shape)                node's returned buffer if it has that shape, else a spare of that shape
//   keep_spares_if(wanted)           frees the spare buffers nothing wants (later in this run, or the next run)
//   wants_buffer(node, shape)        whether node has no buffer of that shape waiting
//   stock(node, buffer)              gives node a buffer ahead of its run (Engine::prepare)
//   spares_of(shape), add_spare(buf) how many spares of a shape wait; one more, made ahead (Engine::prepare)
//   close()                          from now on every returned buffer is freed (the engine is going away)
//
// The hand-back is under a mutex: a reader's last read happens before its release, which happens before the
// engine's take() of the same buffer, so reuse never races with a reader (a use_count() test would be a relaxed
// read with no such order). Buffers are reused because touching fresh memory costs page faults on every run.

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/tensor.hpp"

namespace convscope {

class BufferRecycler {
public:
    enum class Return : char {
        free,      // nobody wants it: delete it
        to_node,   // keep it for the same node's next output (its previous output was invalidated)
        to_spares, // keep it for any node of the same shape later (an output the run dropped)
    };

    explicit BufferRecycler(int nodes);
    BufferRecycler(const BufferRecycler&) = delete;
    BufferRecycler& operator=(const BufferRecycler&) = delete;

    static std::shared_ptr<const Tensor3> publish(const std::shared_ptr<BufferRecycler>& recycler, int node,
                                                  std::unique_ptr<Tensor3> buffer);
    void on_return(int node, Return where);
    // A buffer of `shape` for node: node's returned buffer, else a spare, else nullptr. A previous buffer of node's
    // still in a reader's hands comes back to node when let go, for its next output: a viewer that shows the
    // last complete outputs while the engine writes new ones makes each node alternate between two buffers,
    // with no new memory (and page faults) from the third run on.
    std::unique_ptr<Tensor3> take(int node, const Shape& shape);
    void keep_spares_if(const std::function<bool(const Tensor3&)>& wanted);
    // Whether node would get a new buffer for an output of `shape`: none of that shape waits for it.
    bool wants_buffer(int node, const Shape& shape) const;
    void stock(int node, std::unique_ptr<Tensor3> buffer);  // kept for node's next take()
    int spares_of(const Shape& shape) const;
    void add_spare(std::unique_ptr<Tensor3> buffer);
    std::size_t bytes() const;  // of the buffers waiting here
    void close();

private:
    struct Deleter {
        std::shared_ptr<BufferRecycler> home;
        int node;
        void operator()(const Tensor3* t) const;
    };
    void give_back(int node, std::unique_ptr<Tensor3> buffer);

    mutable std::mutex mutex_;
    struct Slot {
        std::unique_ptr<Tensor3> buffer;  // returned, waiting for the node's next output
        Return on_return = Return::free;
    };
    std::vector<Slot> slots_;  // per node
    std::vector<std::unique_ptr<Tensor3>> spares_;
    bool closed_ = false;
};

}  // namespace convscope
