// cw_phy_axis - AXI-Stream PHY for a PCIe DMA engine (XDMA's streaming
// H2C/C2H channels, LitePCIe's DMA streams): a slave stream from the host
// (s_axis_*) and a master stream to it (m_axis_*), DATA_BYTES bytes wide,
// with tkeep (byte enables; any pattern is accepted on the slave, bytes
// going out lowest lane first) and tlast (ignored on the slave; on the
// master it marks the last byte of each link frame, so a DMA transfer
// ends with each frame, and a frame that ends mid-word goes out as a
// partial word with tkeep low on the unused lanes).
//
// To the link engine it is the usual byte stream (valid/ready). The master
// holds tvalid/tdata/tkeep/tlast stable until tready, as AXI-Stream asks.
`default_nettype none

module cw_phy_axis #(
    parameter integer DATA_BYTES = 4   // 1, 2, 4 or 8
) (
    input  wire                    clk,
    input  wire                    rst,
    // host -> device
    input  wire                    s_axis_tvalid,
    output wire                    s_axis_tready,
    input  wire [8*DATA_BYTES-1:0] s_axis_tdata,
    input  wire [DATA_BYTES-1:0]   s_axis_tkeep,
    input  wire                    s_axis_tlast,
    // device -> host
    output reg                     m_axis_tvalid,
    input  wire                    m_axis_tready,
    output reg  [8*DATA_BYTES-1:0] m_axis_tdata,
    output reg  [DATA_BYTES-1:0]   m_axis_tkeep,
    output reg                     m_axis_tlast,
    // to the link engine
    output wire                    rx_valid,
    output wire [7:0]              rx_data,
    input  wire                    rx_ready,
    // from the link engine
    input  wire                    tx_valid,
    input  wire [7:0]              tx_data,
    input  wire                    tx_last,
    output wire                    tx_ready
);
    localparam integer DB = DATA_BYTES;
    localparam integer BW = DB > 1 ? $clog2(DB) : 1;
    initial begin
        if (DB != 1 && DB != 2 && DB != 4 && DB != 8)
            $error("cw_phy_axis: DATA_BYTES must be 1, 2, 4 or 8");
    end

    // ---------------------------------------------------------------- slave: words -> bytes
    reg  [8*DB-1:0] sw_q;      // the word being unpacked
    reg  [DB-1:0]   sk_q;      // its bytes not yet handed on
    reg  [BW-1:0]   lane;      // the lowest of them
    integer i;
    always @* begin
        lane = {BW{1'b0}};
        for (i = DB - 1; i >= 0; i = i - 1)
            if (sk_q[i]) lane = i[BW-1:0];
    end
    wire [DB-1:0] sk_next = sk_q & ~({{(DB-1){1'b0}}, 1'b1} << lane);
    wire          rx_take = rx_valid && rx_ready;
    assign rx_valid      = sk_q != {DB{1'b0}};
    assign rx_data       = sw_q[8*lane +: 8];
    // a new word when nothing is left, or when the last byte goes this cycle
    assign s_axis_tready = !rx_valid || (rx_take && sk_next == {DB{1'b0}});

    always @(posedge clk) begin
        if (rst) begin
            sw_q <= {8*DB{1'b0}};
            sk_q <= {DB{1'b0}};
        end else if (s_axis_tvalid && s_axis_tready) begin
            sw_q <= s_axis_tdata;
            sk_q <= s_axis_tkeep;
        end else if (rx_take) begin
            sk_q <= sk_next;
        end
    end

    // ---------------------------------------------------------------- master: bytes -> words
    reg  [8*DB-1:0] aw_q;      // bytes gathered so far
    reg  [BW-1:0]   an_q;      // how many
    wire            out_free = !m_axis_tvalid || m_axis_tready;
    wire            tx_take  = tx_valid && tx_ready;
    wire            word_end = tx_last || an_q == DB[BW-1:0] - 1'b1 || DB == 1;
    reg  [8*DB-1:0] aw_d;
    always @* begin
        aw_d = aw_q;
        aw_d[8*an_q +: 8] = tx_data;
    end
    assign tx_ready = out_free;

    always @(posedge clk) begin
        if (rst) begin
            aw_q          <= {8*DB{1'b0}};
            an_q          <= {BW{1'b0}};
            m_axis_tvalid <= 1'b0;
            m_axis_tdata  <= {8*DB{1'b0}};
            m_axis_tkeep  <= {DB{1'b0}};
            m_axis_tlast  <= 1'b0;
        end else begin
            if (m_axis_tvalid && m_axis_tready) m_axis_tvalid <= 1'b0;
            if (tx_take) begin
                if (word_end) begin
                    m_axis_tvalid <= 1'b1;
                    m_axis_tdata  <= aw_d;
                    m_axis_tkeep  <= ~({DB{1'b1}} << ({1'b0, an_q} + 1'b1));
                    m_axis_tlast  <= tx_last;
                    aw_q          <= {8*DB{1'b0}};
                    an_q          <= {BW{1'b0}};
                end else begin
                    aw_q <= aw_d;
                    an_q <= an_q + 1'b1;
                end
            end
        end
    end

    wire unused = &{1'b0, s_axis_tlast};
endmodule

`default_nettype wire
