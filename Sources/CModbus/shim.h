#ifndef DCAGENT_CMODBUS_SHIM_H
#define DCAGENT_CMODBUS_SHIM_H
// glibc first, so that CModbus and CNetSNMP agree on fd_set.
#include <features.h>
#include <sys/select.h>
#include <errno.h>
#include <modbus/modbus.h>

// libmodbus error numbers are macros built from an expression; Swift does not
// import those, so re-export them as constants.
enum {
    DCA_EMBXILFUN = EMBXILFUN,
    DCA_EMBXILADD = EMBXILADD,
    DCA_EMBXILVAL = EMBXILVAL,
    DCA_EMBXSFAIL = EMBXSFAIL,
    DCA_EMBXACK = EMBXACK,
    DCA_EMBXSBUSY = EMBXSBUSY,
    DCA_EMBXNACK = EMBXNACK,
    DCA_EMBXMEMPAR = EMBXMEMPAR,
    DCA_EMBXGPATH = EMBXGPATH,
    DCA_EMBXGTAR = EMBXGTAR,
    DCA_EMBBADCRC = EMBBADCRC,
    DCA_EMBBADDATA = EMBBADDATA,
    DCA_EMBBADEXC = EMBBADEXC,
    DCA_EMBMDATA = EMBMDATA,
    DCA_EMBBADSLAVE = EMBBADSLAVE,
    DCA_MODBUS_MAX_READ_REGISTERS = MODBUS_MAX_READ_REGISTERS,
    DCA_MODBUS_MAX_READ_BITS = MODBUS_MAX_READ_BITS,
    DCA_MODBUS_TCP_MAX_ADU_LENGTH = MODBUS_TCP_MAX_ADU_LENGTH,
};

static inline int dca_errno(void) { return errno; }
#endif
