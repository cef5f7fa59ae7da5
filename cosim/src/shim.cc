// C++ side of the cxx bridge of spikefab-cosim; see include/shim.h.
#include "spikefab-cosim/include/shim.h"

#include <dlfcn.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace spikefab_cosim {

namespace {

std::string dl_error() {
    const char* e = dlerror();
    return e ? std::string(e) : std::string("unknown dynamic loader error");
}

template <typename F>
void resolve(void* lib, const char* name, F& out) {
    dlerror();
    void* sym = dlsym(lib, name);
    if (!sym) {
        std::string msg = std::string("dlsym(") + name + "): " + dl_error();
        dlclose(lib);
        throw std::runtime_error(msg);
    }
    out = reinterpret_cast<F>(sym);
}

}  // namespace

Model::Model(void* lib, const Api& api, void* inst) : lib_(lib), api_(api), inst_(inst) {}

Model::~Model() {
    api_.destroy(inst_);
    dlclose(lib_);
}

void Model::check(int rc) {
    if (rc == 0) return;
    const char* e = api_.error(inst_);
    std::string msg = (e && e[0]) ? std::string(e) : std::string("unknown error");
    if (rc == 1) failed_ = true;
    throw std::runtime_error(msg);
}

void Model::set(uint32_t port, uint64_t value) { api_.set(inst_, port, value); }

uint64_t Model::get(uint32_t port) const { return api_.get(inst_, port); }

void Model::set_wide(uint32_t port, rust::Slice<const uint64_t> words) {
    if (words.size() > UINT32_MAX) throw std::runtime_error("too many words");
    int rc = api_.set_wide(inst_, port, words.data(), static_cast<uint32_t>(words.size()));
    if (rc != 0) throw std::runtime_error(api_.error(inst_));
}

void Model::get_wide(uint32_t port, rust::Slice<uint64_t> words) const {
    if (words.size() > UINT32_MAX) throw std::runtime_error("too many words");
    int rc = api_.get_wide(inst_, port, words.data(), static_cast<uint32_t>(words.size()));
    if (rc != 0) throw std::runtime_error(api_.error(inst_));
}

void Model::eval() { check(api_.eval(inst_)); }

void Model::tick() { check(api_.tick(inst_)); }

void Model::ticks(uint64_t n) { check(api_.ticks(inst_, n)); }

uint64_t Model::cycles() const { return api_.cycles(inst_); }

bool Model::finished() const { return api_.finished(inst_) != 0; }

bool Model::failed() const { return failed_; }

rust::String Model::signature() const { return rust::String(api_.signature()); }

void Model::trace_open(rust::Slice<const uint8_t> path) {
    std::string p(reinterpret_cast<const char*>(path.data()), path.size());
    check(api_.trace_open(inst_, p.c_str()));
}

void Model::trace_close() { api_.trace_close(inst_); }

std::unique_ptr<Model> open_model(rust::Slice<const uint8_t> so_path, uint32_t abi, uint32_t seed,
                                  uint32_t rand_reset) {
    std::string path(reinterpret_cast<const char*>(so_path.data()), so_path.size());
    if (path.find('\0') != std::string::npos) {
        throw std::runtime_error("the library path contains a NUL byte");
    }
    dlerror();
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) throw std::runtime_error("dlopen: " + dl_error());

    uint32_t (*abi_fn)() = nullptr;
    resolve(lib, "spikefab_cosim_abi", abi_fn);
    uint32_t found = abi_fn();
    if (found != abi) {
        dlclose(lib);
        throw std::runtime_error("the library has wrapper ABI " + std::to_string(found) +
                                 ", this program expects " + std::to_string(abi) +
                                 " (remove the cache folder to rebuild it)");
    }
    Model::Api api{};
    resolve(lib, "spikefab_cosim_create", api.create);
    resolve(lib, "spikefab_cosim_destroy", api.destroy);
    resolve(lib, "spikefab_cosim_error", api.error);
    resolve(lib, "spikefab_cosim_set", api.set);
    resolve(lib, "spikefab_cosim_get", api.get);
    resolve(lib, "spikefab_cosim_set_wide", api.set_wide);
    resolve(lib, "spikefab_cosim_get_wide", api.get_wide);
    resolve(lib, "spikefab_cosim_eval", api.eval);
    resolve(lib, "spikefab_cosim_tick", api.tick);
    resolve(lib, "spikefab_cosim_ticks", api.ticks);
    resolve(lib, "spikefab_cosim_cycles", api.cycles);
    resolve(lib, "spikefab_cosim_finished", api.finished);
    resolve(lib, "spikefab_cosim_trace_open", api.trace_open);
    resolve(lib, "spikefab_cosim_trace_close", api.trace_close);
    resolve(lib, "spikefab_cosim_signature", api.signature);

    void* inst = api.create(seed, rand_reset);
    if (!inst) {
        dlclose(lib);
        throw std::runtime_error("out of memory creating the model instance");
    }
    const char* err = api.error(inst);
    if (err && err[0]) {
        std::string msg = std::string("constructing the model failed: ") + err;
        api.destroy(inst);
        dlclose(lib);
        throw std::runtime_error(msg);
    }
    return std::make_unique<Model>(lib, api, inst);
}

}  // namespace spikefab_cosim
