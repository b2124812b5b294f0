#include "core/engine/buffer_recycler.hpp"

#include <algorithm>

namespace convscope {

BufferRecycler::BufferRecycler(int nodes) : slots_(std::size_t(nodes)) {}

std::shared_ptr<const Tensor3> BufferRecycler::publish(const std::shared_ptr<BufferRecycler>& recycler, int node,
                                                       std::unique_ptr<Tensor3> buffer) {
    std::shared_ptr<const Tensor3> out(buffer.get(), Deleter{recycler, node});
    buffer.release();  // owned by `out` now (the shared_ptr constructor deletes it itself if it throws)
    return out;
}

void BufferRecycler::Deleter::operator()(const Tensor3* t) const {
    // The engine made the buffer writable and published it read-only; it is its own again.
    home->give_back(node, std::unique_ptr<Tensor3>(const_cast<Tensor3*>(t)));
}

void BufferRecycler::give_back(int node, std::unique_ptr<Tensor3> buffer) {
    std::unique_ptr<Tensor3> unwanted;  // freed after the lock is released
    {
        std::lock_guard<std::mutex> lock(mutex_);
        Slot& slot = slots_[std::size_t(node)];
        const Return where = closed_ ? Return::free : slot.on_return;
        slot.on_return = Return::free;
        if (where == Return::to_node) {
            unwanted = std::move(slot.buffer);
            slot.buffer = std::move(buffer);
        } else if (where == Return::to_spares) {
            spares_.push_back(std::move(buffer));
        } else {
            unwanted = std::move(buffer);
        }
    }
}

void BufferRecycler::on_return(int node, Return where) {
    std::unique_ptr<Tensor3> unwanted;
    std::lock_guard<std::mutex> lock(mutex_);
    Slot& slot = slots_[std::size_t(node)];
    slot.on_return = where;
    if (where == Return::free) unwanted = std::move(slot.buffer);
}

std::unique_ptr<Tensor3> BufferRecycler::take(int node, const Shape& shape) {
    std::unique_ptr<Tensor3> unwanted;
    std::lock_guard<std::mutex> lock(mutex_);
    Slot& slot = slots_[std::size_t(node)];
    // on_return stays: a previous output of node's still in a reader's hands serves node's next run when it
    // comes back.
    if (slot.buffer && shape_of(*slot.buffer) == shape) return std::move(slot.buffer);
    unwanted = std::move(slot.buffer);
    const auto spare = std::find_if(spares_.begin(), spares_.end(),
                                    [&](const std::unique_ptr<Tensor3>& t) { return shape_of(*t) == shape; });
    if (spare == spares_.end()) return nullptr;
    std::unique_ptr<Tensor3> out = std::move(*spare);
    spares_.erase(spare);
    return out;
}

void BufferRecycler::keep_spares_if(const std::function<bool(const Tensor3&)>& wanted) {
    std::vector<std::unique_ptr<Tensor3>> unwanted;
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& t : spares_)
        if (!wanted(*t)) unwanted.push_back(std::move(t));
    spares_.erase(std::remove(spares_.begin(), spares_.end(), nullptr), spares_.end());
}

bool BufferRecycler::wants_buffer(int node, const Shape& shape) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const Slot& slot = slots_[std::size_t(node)];
    return !slot.buffer || !(shape_of(*slot.buffer) == shape);
}

void BufferRecycler::stock(int node, std::unique_ptr<Tensor3> buffer) {
    std::unique_ptr<Tensor3> unwanted;
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    unwanted = std::move(slots_[std::size_t(node)].buffer);
    slots_[std::size_t(node)].buffer = std::move(buffer);
}

int BufferRecycler::spares_of(const Shape& shape) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return int(std::count_if(spares_.begin(), spares_.end(),
                             [&](const std::unique_ptr<Tensor3>& t) { return shape_of(*t) == shape; }));
}

void BufferRecycler::add_spare(std::unique_ptr<Tensor3> buffer) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closed_) spares_.push_back(std::move(buffer));
}

std::size_t BufferRecycler::bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t n = 0;
    for (const Slot& slot : slots_)
        if (slot.buffer) n += slot.buffer->size() * sizeof(float);
    for (const auto& t : spares_) n += t->size() * sizeof(float);
    return n;
}

void BufferRecycler::close() {
    std::vector<std::unique_ptr<Tensor3>> unwanted;
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    unwanted.swap(spares_);
    for (Slot& slot : slots_) unwanted.push_back(std::move(slot.buffer));
}

}  // namespace convscope
