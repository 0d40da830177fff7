"""Multi-process training with PyTorch's own engine: `torchrun` + DistributedDataParallel.

`python -m selfsup_core train ...` is unchanged under `torchrun --nproc_per_node=N` (and its
multi-node flags): torchrun sets RANK / WORLD_SIZE / LOCAL_RANK, `init()` joins the process group
(nccl on CUDA, gloo on CPU). Outside torchrun everything here is a no-op with world size 1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0 alone writes the run directory and prints."""
        return self.rank == 0


def from_env() -> World:
    """The world torchrun describes in the environment (size 1 when not under torchrun)."""
    return World(
        int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)), int(os.environ.get("LOCAL_RANK", 0))
    )


def init(device_name: str = "auto") -> tuple[World, torch.device | None]:
    """Join the process group if there is one; returns the world and, under torchrun, this rank's device."""
    world = from_env()
    if world.size == 1 or dist.is_initialized():
        return world, None
    use_cuda = torch.cuda.is_available() and device_name in ("auto", "cuda")
    dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    if use_cuda:
        torch.cuda.set_device(world.local_rank)
        return world, torch.device("cuda", world.local_rank)
    return world, torch.device("cpu")


def barrier(world: World) -> None:
    if world.size > 1:
        dist.barrier()


def _device() -> torch.device | None:
    """Where collectives need their tensors: nccl works on CUDA tensors only."""
    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else None


def _tensor(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64, device=_device())


def broadcast_text(text: str | None, world: World) -> str:
    """Rank 0's `text` on every rank (as UTF-8 bytes in a tensor: no pickling). Used for the tokenizer,
    which rank 0 trains: ranks on other nodes cannot read rank 0's tokenizer cache from disk."""
    if world.size == 1:
        return text or ""
    data = torch.frombuffer(bytearray(text.encode()), dtype=torch.uint8) if world.is_main else None
    size = torch.tensor([0 if data is None else data.numel()], dtype=torch.int64, device=_device())
    dist.broadcast(size, src=0)
    buffer = (
        data.to(_device()) if data is not None else torch.empty(int(size.item()), dtype=torch.uint8, device=_device())
    )
    dist.broadcast(buffer, src=0)
    return bytes(buffer.cpu().tolist()).decode()


def all_max(values: list[float], world: World) -> list[float]:
    """Element-wise max over ranks (used so every rank stops at the same step)."""
    if world.size == 1:
        return values
    t = _tensor(values)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return t.tolist()


def all_mean(value: float, world: World) -> float:
    if world.size == 1:
        return value
    t = _tensor([value])
    dist.all_reduce(t)
    return t.item() / world.size


def shutdown(world: World) -> None:
    if world.size > 1 and dist.is_initialized():
        dist.destroy_process_group()
