#!/usr/bin/env python3
"""Modbus read replies built by pymodbus itself, for IndependentFrameTests.

The property tests in ReplyDecoderPropertyTests build their frames with the driver's own
encoder, so a misunderstanding shared by encoder and decoder would pass. Here pymodbus's own
response PDU classes (ReadCoilsResponse, ReadDiscreteInputsResponse,
ReadHoldingRegistersResponse, ReadInputRegistersResponse, ExceptionResponse) are framed by
pymodbus's own framers (FramerRTU with its CRC-16, FramerSocket with the MBAP header), and
each frame is decoded back by pymodbus (handleFrame) so the test compares the driver's reading
with what pymodbus reads from the same bytes.

Writes one JSON object per line to --out:
  {"n": case number, "kind": "coil"|"discrete_input"|"holding"|"input", "unit": id,
   "count": units asked, "tid": MBAP transaction id,
   "rtu": hex ADU (unit, PDU, CRC), "tcp": hex ADU (MBAP, PDU),
   "pymodbus": {"registers": [...]} | {"bits": [0/1, ...]} | {"exception": code}}
Deterministic for a given --seed.
"""
import argparse
import json
import random

from pymodbus.framer import FramerRTU, FramerSocket
from pymodbus.pdu import DecodePDU, ExceptionResponse
from pymodbus.pdu.bit_message import ReadCoilsResponse, ReadDiscreteInputsResponse
from pymodbus.pdu.register_message import ReadHoldingRegistersResponse, ReadInputRegistersResponse

KINDS = {
    "coil": (1, ReadCoilsResponse),
    "discrete_input": (2, ReadDiscreteInputsResponse),
    "holding": (3, ReadHoldingRegistersResponse),
    "input": (4, ReadInputRegistersResponse),
}
# Exception codes the spec defines for a read (01 illegal function, 02 illegal data address,
# 03 illegal data value, 04 server device failure) and a gateway's 0B; 05/06 as well (busy).
EXCEPTIONS = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0B]


def decode_back(framer, frame: bytes, unit: int, tid: int):
    """What pymodbus's client side reads from the frame."""
    used, pdu = framer.handleFrame(frame, unit, tid)
    if pdu is None or used != len(frame):
        raise SystemExit(f"pymodbus could not decode its own frame {frame.hex()}")
    return pdu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rtu = FramerRTU(DecodePDU(False))
    tcp = FramerSocket(DecodePDU(False))
    with open(args.out, "w", encoding="ascii") as out:
        for n in range(args.count):
            kind = rng.choice(list(KINDS))
            fc, cls = KINDS[kind]
            unit = rng.randint(1, 247)
            tid = rng.randint(1, 0xFFFF)
            bit = fc in (1, 2)
            # Edges as well as random counts: 1, the spec's maximum (2000 bits, 125 registers).
            edge = rng.random()
            limit = 2000 if bit else 125
            count = 1 if edge < 0.1 else limit if edge < 0.2 else rng.randint(1, 40 if bit else 30)
            if rng.random() < 0.2:
                pdu = ExceptionResponse(fc, rng.choice(EXCEPTIONS), device_id=unit, transaction=tid)
            elif bit:
                pdu = cls(bits=[rng.random() < 0.5 for _ in range(count)], dev_id=unit, transaction_id=tid)
            else:
                words = [rng.choice([0, 0xFFFF, 0x8000, 0x7FFF, rng.randint(0, 0xFFFF)]) for _ in range(count)]
                pdu = cls(registers=words, dev_id=unit, transaction_id=tid)
            rtu_frame = rtu.buildFrame(pdu)
            tcp_frame = tcp.buildFrame(pdu)
            back_rtu = decode_back(rtu, rtu_frame, unit, 0)
            back_tcp = decode_back(tcp, tcp_frame, unit, tid)
            if isinstance(back_rtu, ExceptionResponse):
                seen = {"exception": back_rtu.exception_code}
                assert back_tcp.exception_code == back_rtu.exception_code
            elif bit:
                # pymodbus unpacks whole bytes; the bits past `count` are padding.
                seen = {"bits": [int(b) for b in back_rtu.bits[:count]]}
                assert back_tcp.bits[:count] == back_rtu.bits[:count]
            else:
                seen = {"registers": list(back_rtu.registers)}
                assert back_tcp.registers == back_rtu.registers
            out.write(json.dumps({
                "n": n, "kind": kind, "unit": unit, "count": count, "tid": tid,
                "rtu": rtu_frame.hex(), "tcp": tcp_frame.hex(), "pymodbus": seen,
            }) + "\n")


if __name__ == "__main__":
    main()
