// cw_device - the accelerator as the host sees it: the link engine
// (cw_link_engine: frame parser, command executor, event framer, frame
// writer) in front of cw_core, with a PHY-agnostic byte stream on each side
// (valid/ready; tx_last marks the last byte of each frame). A board's top
// level adds one PHY (cw_phy_uart, cw_phy_ft245 or cw_phy_axis) and its
// clock and pins.
//
// Regions (docs/protocol.md), sizes in bytes as INFO reports them:
//   0 PROGRAM  PROG_DEPTH * 32        (CW_PROG_STRIDE bytes per instruction)
//   1 WEIGHTS  WGT_LINES * LANES*K*WBITS/8
//   2 SCALES   SCL_DEPTH * 4
//   3 CONST    CST_DEPTH * 4
//   4 ACT, 5 KV: 0 (not reachable from the link on this device)
//   6 PROMPT   MAX_CTX * 4
//   7 OUTPUT   MAX_CTX * 16
//
// The core is cw_core, or with CW_SERIAL_CORE defined (the builds of a
// target with `serial 1`: scripts/build-sim.sh) the serial core of
// docs/serial.md, which has the same ports.
//
// Assertions (simulation only): the link engine never writes into, nor
// starts, a core that is running.
`default_nettype none

module cw_device #(
    parameter integer LANES       = 8,
    parameter integer K           = 8,
    parameter integer WBITS       = 16,
    parameter integer PROG_DEPTH  = 4096,
    parameter integer WGT_LINES   = 65536,
    parameter integer SCL_DEPTH   = 32768,
    parameter integer CST_DEPTH   = 16384,
    parameter integer ACT_DEPTH   = 16384,
    parameter integer KV_DEPTH    = 1048576,
    parameter integer MAX_CTX     = 1024,
    parameter integer KV_BITS     = 16,       // bits per KV cache entry (8..16)
    parameter [63:0]  CONFIG_HASH = 64'd0,
    parameter integer EV_DEPTH    = 16,       // token records the event FIFO holds
    parameter integer IDLE_CYCLES = 1048576,  // inter-byte timeout (~21 ms at 50 MHz)
    parameter integer WATCHDOG_CYCLES = 0     // the core's watchdog (0: automatic)
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        rx_valid,
    input  wire [7:0]  rx_data,
    output wire        rx_ready,
    output wire        tx_valid,
    output wire [7:0]  tx_data,
    output wire        tx_last,
    input  wire        tx_ready,
    // for LEDs and tests
    output wire        busy,
    output wire [1:0]  core_state
);
    localparam [31:0] SZ_PROG   = PROG_DEPTH * 32;
    localparam [31:0] SZ_WGT    = WGT_LINES * (LANES * K * WBITS / 8);
    localparam [31:0] SZ_SCL    = SCL_DEPTH * 4;
    localparam [31:0] SZ_CST    = CST_DEPTH * 4;
    localparam [31:0] SZ_PROMPT = MAX_CTX * 4;
    localparam [31:0] SZ_OUT    = MAX_CTX * 16;

    initial begin
        if (64'd0 + WGT_LINES * (LANES * K * WBITS / 8) > 64'hFFFFFFFF)
            $error("cw_device: the WEIGHTS region must be under 4 GiB");
        if (WGT_LINES * (LANES * K * WBITS / 32) > (1 << 24))
            $error("cw_device: WEIGHTS needs more than 24 bits of word address");
    end

    wire        wr_en, hr_en, hr_valid;
    wire [2:0]  wr_region, hr_region;
    wire [23:0] wr_addr, hr_addr;
    wire [31:0] wr_data, hr_data;
    wire        run_start, cancel, run_done, err, tok_valid;
    wire [15:0] run_n_prompt, run_steps, tokens, err_pc, tok_pos;
    wire [7:0]  err_code;
    wire [63:0] cycle, config_hash, tok_cycle;
    wire [31:0] tok_id, rx_rejected;

    cw_link_engine #(
        .MAC_LANES(LANES * K), .MAX_CTX(MAX_CTX),
        .SZ_PROG(SZ_PROG), .SZ_WGT(SZ_WGT), .SZ_SCL(SZ_SCL), .SZ_CST(SZ_CST),
        .SZ_ACT(32'd0), .SZ_KV(32'd0), .SZ_PROMPT(SZ_PROMPT), .SZ_OUT(SZ_OUT),
        .EV_DEPTH(EV_DEPTH), .IDLE_CYCLES(IDLE_CYCLES)
    ) u_link (
        .clk(clk), .rst(rst),
        .rx_valid(rx_valid), .rx_data(rx_data), .rx_ready(rx_ready),
        .tx_valid(tx_valid), .tx_data(tx_data), .tx_last(tx_last), .tx_ready(tx_ready),
        .wr_en(wr_en), .wr_region(wr_region), .wr_addr(wr_addr), .wr_data(wr_data),
        .hr_en(hr_en), .hr_region(hr_region), .hr_addr(hr_addr), .hr_valid(hr_valid),
        .hr_data(hr_data),
        .run_start(run_start), .run_n_prompt(run_n_prompt), .run_steps(run_steps),
        .cancel(cancel), .busy(busy), .run_done(run_done), .err(err), .err_code(err_code),
        .cycle(cycle), .tokens(tokens), .config_hash(config_hash),
        .tok_valid(tok_valid), .tok_pos(tok_pos), .tok_id(tok_id), .tok_cycle(tok_cycle),
        .core_state(core_state), .rx_rejected(rx_rejected));

`ifdef CW_SERIAL_CORE
    // the serial core (docs/serial.md): a target with `serial 1`
    cw_serial_core #(
        .LANES(LANES), .K(K), .WBITS(WBITS), .PROG_DEPTH(PROG_DEPTH), .WGT_LINES(WGT_LINES),
        .SCL_DEPTH(SCL_DEPTH), .CST_DEPTH(CST_DEPTH), .ACT_DEPTH(ACT_DEPTH),
        .KV_DEPTH(KV_DEPTH), .MAX_CTX(MAX_CTX), .KV_BITS(KV_BITS), .CONFIG_HASH(CONFIG_HASH)
    ) u_core (
        .clk(clk), .rst(rst),
        .wr_en(wr_en), .wr_region(wr_region), .wr_addr(wr_addr), .wr_data(wr_data),
        .run_start(run_start), .run_n_prompt(run_n_prompt), .run_steps(run_steps),
        .cancel(cancel), .busy(busy), .run_done(run_done), .err(err), .err_code(err_code),
        .err_pc(err_pc), .cycle(cycle), .tokens(tokens), .config_hash(config_hash),
        .tok_valid(tok_valid), .tok_pos(tok_pos), .tok_id(tok_id), .tok_cycle(tok_cycle),
        .hr_en(hr_en), .hr_region(hr_region), .hr_addr(hr_addr), .hr_valid(hr_valid),
        .hr_data(hr_data));
    wire unused_wd = &{1'b0, WATCHDOG_CYCLES[0]};
`else
    cw_core #(
        .LANES(LANES), .K(K), .WBITS(WBITS), .PROG_DEPTH(PROG_DEPTH), .WGT_LINES(WGT_LINES),
        .SCL_DEPTH(SCL_DEPTH), .CST_DEPTH(CST_DEPTH), .ACT_DEPTH(ACT_DEPTH),
        .KV_DEPTH(KV_DEPTH), .MAX_CTX(MAX_CTX), .KV_BITS(KV_BITS), .CONFIG_HASH(CONFIG_HASH),
        .WATCHDOG_CYCLES(WATCHDOG_CYCLES)
    ) u_core (
        .clk(clk), .rst(rst),
        .wr_en(wr_en), .wr_region(wr_region), .wr_addr(wr_addr), .wr_data(wr_data),
        .run_start(run_start), .run_n_prompt(run_n_prompt), .run_steps(run_steps),
        .cancel(cancel), .busy(busy), .run_done(run_done), .err(err), .err_code(err_code),
        .err_pc(err_pc), .cycle(cycle), .tokens(tokens), .config_hash(config_hash),
        .tok_valid(tok_valid), .tok_pos(tok_pos), .tok_id(tok_id), .tok_cycle(tok_cycle),
        .hr_en(hr_en), .hr_region(hr_region), .hr_addr(hr_addr), .hr_valid(hr_valid),
        .hr_data(hr_data));
`endif

`ifndef SYNTHESIS
    always @(posedge clk) begin
        if (!rst) begin
            assert (!(wr_en && busy)) else $error("cw_device: a write into a running core");
            assert (!(run_start && busy)) else $error("cw_device: RUN started a running core");
        end
    end
`endif

    wire unused = &{1'b0, err_pc, rx_rejected};
endmodule

`default_nettype wire
