"""safetensors read and write with numpy, for the scripts beside this file.

Debian has no python3-safetensors, so the format is written by hand with the library's layout:
8-byte little-endian header length, compact JSON with __metadata__ first, tensors ordered by
descending dtype alignment then name, header padded with spaces to 8 bytes, then the raw
little-endian data. Files written here load in Eddy (loadSafetensors) and in the Python library.
"""
import json
import struct

import numpy as np

DTYPES = {np.dtype('float32'): 'F32', np.dtype('int32'): 'I32'}
NUMPY = {'F32': np.float32, 'I32': np.int32, 'F64': np.float64, 'I64': np.int64}


def write_safetensors(path, tensors, metadata=None):
    """tensors: name -> numpy array (float32 or int32)."""
    # The library's order: descending dtype alignment (F32 before I32 in its enum), then name.
    rank = {'F32': 0, 'I32': 1}
    entries = sorted(tensors.items(), key=lambda kv: (rank[DTYPES[kv[1].dtype]], kv[0].encode('utf-8')))
    header, offset, blobs = {}, 0, []
    if metadata is not None:
        header['__metadata__'] = metadata
    for name, a in entries:
        a = np.ascontiguousarray(a)
        data = a.astype(a.dtype.newbyteorder('<'), copy=False).tobytes()
        header[name] = {'dtype': DTYPES[a.dtype], 'shape': list(a.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Returns (name -> numpy array, metadata or None)."""
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    metadata = header.pop('__metadata__', None)
    base = 8 + n
    out = {}
    for name, e in header.items():
        begin, end = e['data_offsets']
        out[name] = np.frombuffer(raw[base + begin:base + end], dtype=np.dtype(NUMPY[e['dtype']]).newbyteorder('<')).reshape(e['shape'])
    return out, metadata
