// cw_tb_ram - test wrapper: cw_ram_rmw (whole-word writes by read-modify-
// write over cw_ram_split) next to cw_ram, the memory it must behave like,
// on the same port signals; once with a depth that splits (DEPTH = 200: a
// 128-word block bank and a 72-word LUT bank), once with a power of two
// (tests/rtl/tb_ram.cpp). Not part of the core.
`default_nettype none

module cw_tb_ram (
    input  wire         clk,
    input  wire         rst,
    input  wire         we,
    input  wire [7:0]   waddr,
    input  wire [3:0]   wlanes,
    input  wire [127:0] wdata,
    input  wire         re,
    input  wire [7:0]   raddr,
    output wire [127:0] ref_rdata,    // DEPTH 200
    output wire [127:0] rmw_rdata,
    output wire [127:0] ref2_rdata,   // DEPTH 256
    output wire [127:0] rmw2_rdata
);
    wire [127:0] ref_q;
    cw_ram #(.DEPTH(200), .WIDTH(128), .LANE(32), .AW(8)) u_ref (
        .clk(clk), .we(we), .waddr(waddr), .wlanes(wlanes), .wdata(wdata),
        .re(re), .raddr(raddr), .rdata(ref_q));
    assign ref_rdata = ref_q;
    cw_ram_rmw #(.DEPTH(200), .WIDTH(128), .LANE(32), .AW(8)) u_rmw (
        .clk(clk), .rst(rst), .we(we), .waddr(waddr), .wlanes(wlanes), .wdata(wdata),
        .re(re), .raddr(raddr), .rdata(rmw_rdata));

    wire [127:0] ref2_q;
    cw_ram #(.DEPTH(256), .WIDTH(128), .LANE(32), .AW(8)) u_ref2 (
        .clk(clk), .we(we), .waddr(waddr), .wlanes(wlanes), .wdata(wdata),
        .re(re), .raddr(raddr), .rdata(ref2_q));
    assign ref2_rdata = ref2_q;
    cw_ram_rmw #(.DEPTH(256), .WIDTH(128), .LANE(32), .AW(8)) u_rmw2 (
        .clk(clk), .rst(rst), .we(we), .waddr(waddr), .wlanes(wlanes), .wdata(wdata),
        .re(re), .raddr(raddr), .rdata(rmw2_rdata));
endmodule

`default_nettype wire
