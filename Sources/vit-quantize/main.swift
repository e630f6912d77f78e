import ViTCommands

ProcessSetup.preparePassiveOpenMP()
ProcessSetup.keepLargeAllocationsInHeap()
QuantizeCommand.main()
